from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's empty choice of every select, which its own zh_Hans catalogue does not translate yet: listed
# here so that ours carries it (the project's catalogue comes before Django's).
gettext_noop("- Select an option -")


class CoreConfig(AppConfig):
    name = "minsheng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import runners  # noqa: F401 - registers the core job runners
        from .models import Member, Unit
        from .search import register_source

        register_source(
            Member,
            queryset=lambda: Member.objects.select_related("sector", "party"),
            title=lambda m: m.name,
            text=lambda m: f"{m.sector.name} {m.party or ''} {m.workplace}",
        )
        register_source(Unit, title=lambda u: u.name, text=lambda u: f"{u.short_name} {u.get_kind_display()}")
