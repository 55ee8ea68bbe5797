from django import template

from minsheng.core.events import state_label, verb_label

register = template.Library()


@register.filter(name="verb_label")
def verb_label_filter(verb: str) -> str:
    return verb_label(verb)


@register.filter(name="state_label")
def state_label_filter(state: str) -> str:
    return state_label(state)
