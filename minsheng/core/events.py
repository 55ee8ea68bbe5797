"""How timeline entries read: each app registers labels for its event verbs and its states, so the
timeline shows 「已立案」 rather than `filed`. Unknown verbs fall back to the raw code."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, str] = {
    "attachment_added": _("attached a file"),
    "api_token_created": _("created an API token"),
    "api_token_revoked": _("revoked an API token"),
    "notification_preference_set": _("changed notification settings"),
    "created": _("created"),
    "updated": _("updated"),
}
STATE_LABELS: dict[str, str] = {}
# Verbs recorded on a parent object about one of its parts, e.g. "handling_signed" on a proposal.
PREFIXES: dict[str, str] = {}


def register_verbs(labels: dict[str, str], *, prefix: str | None = None, prefix_label: str | None = None) -> None:
    VERB_LABELS.update(labels)
    if prefix and prefix_label:
        PREFIXES[prefix] = prefix_label


def register_states(*choice_classes: type[models.TextChoices]) -> None:
    for choices in choice_classes:
        for value, label in choices.choices:
            STATE_LABELS.setdefault(value, label)


def verb_label(verb: str) -> str:
    if verb in VERB_LABELS:
        return str(VERB_LABELS[verb])
    for prefix, label in PREFIXES.items():
        if verb.startswith(prefix) and verb[len(prefix):] in VERB_LABELS:
            return f"{label}{VERB_LABELS[verb[len(prefix):]]}"
    return verb.replace("_", " ")


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def labelled(states: Iterable[str]) -> list[str]:
    return [state_label(s) for s in states]
