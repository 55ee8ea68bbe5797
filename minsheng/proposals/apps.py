from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "minsheng.proposals"
    label = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from minsheng.core import selectors as core_selectors
        from minsheng.core.context_processors import NAVIGATION, NavItem, _any, _office, _unit_handler
        from minsheng.core.events import register_states, register_verbs
        from minsheng.core.search import register_source

        from . import choices, demo, runners, selectors  # noqa: F401 - registers the demo step and the job runner
        from .models import Proposal

        register_source(
            Proposal,
            queryset=lambda: Proposal.objects.exclude(status="draft"),
            title=lambda p: p.title,
            text=lambda p: f"{p.situation} {p.analysis} {p.suggestions}",
            visible=selectors.proposals_viewable,
            describe=selectors.search_facts,
        )
        NAVIGATION.insert(1, NavItem(_("Proposal list"), "proposals:list", "file-earmark-text", _any, "proposals"))
        NAVIGATION.insert(2, NavItem(_("Unit desk"), "proposals:unit_desk", "inbox", _unit_handler, "proposals"))
        NAVIGATION.insert(3, NavItem(_("Overdue board"), "proposals:overdue", "exclamation-triangle", _office, "proposals"))
        NAVIGATION.insert(4, NavItem(_("Proposal statistics"), "proposals:statistics", "bar-chart", _office, "proposals"))
        NAVIGATION.insert(5, NavItem(_("Key proposal nominations"), "proposals:nominations", "star", _any, "proposals"))
        NAVIGATION.insert(6, NavItem(_("Face-to-face sessions"), "proposals:episode_list", "camera-video", _office, "proposals"))
        NAVIGATION.insert(7, NavItem(_("Published proposals"), "proposals:public_list", "globe", _any, "proposals"))
        core_selectors.DASHBOARD_PROVIDERS.append(selectors.dashboard_cards)
        register_verbs(choices.EVENT_VERBS, prefix="handling_", prefix_label=_("Unit: "))
        register_states(choices.ProposalStatus, choices.HandlingStatus)
