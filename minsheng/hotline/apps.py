from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "minsheng.hotline"
    label = "hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from minsheng.core.context_processors import NAVIGATION, NavItem
        from minsheng.core.selectors import DASHBOARD_PROVIDERS

        from . import demo, runners  # noqa: F401 - registers the job runners and the demo step
        from .rules import can_see_rates, can_see_tickets
        from .selectors import dashboard_cards

        NAVIGATION.insert(-2, NavItem(_("12345 tickets"), "hotline:ticket_list", "telephone", can_see_tickets, "hotline"))
        NAVIGATION.insert(-2, NavItem(_("12345 rates"), "hotline:rates", "graph-up", can_see_rates, "hotline"))
        DASHBOARD_PROVIDERS.append(dashboard_cards)
