from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "minsheng.supervision"
    label = "supervision"
    verbose_name = _("Monthly-topic supervision")

    def ready(self) -> None:
        from minsheng.core.context_processors import GROUPS, NAVIGATION, NavItem, _any, _office, _unit_handler
        from minsheng.core.events import register_states, register_verbs

        from . import choices, demo, rules  # noqa: F401 - registers the demo step and the rules

        GROUPS.setdefault("supervision", (_("Monthly topics"), "clipboard-check"))
        NAVIGATION.append(NavItem(_("Topic years"), "supervision:index", "clipboard-check", _any, "supervision"))
        NAVIGATION.append(NavItem(_("Our list items"), "supervision:desk", "list-check", _unit_handler, "supervision"))
        NAVIGATION.append(NavItem(_("Supervision overview"), "supervision:overview", "speedometer2", _office, "supervision"))
        register_verbs(choices.EVENT_VERBS)
        register_states(choices.ItemStatus)

        from minsheng.core.selectors import DASHBOARD_PROVIDERS

        from .selectors import dashboard_cards

        DASHBOARD_PROVIDERS.append(dashboard_cards)
