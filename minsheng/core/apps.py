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

        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_file_private, dispatch_uid="minsheng.sqlite_private")


def _sqlite_file_private(sender, connection, **kwargs) -> None:
    """The SQLite database (and its WAL files) readable by its owner only: sqlite creates them with the
    process's umask, usually 0644."""
    if connection.vendor != "sqlite":
        return
    from pathlib import Path

    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(name + suffix)
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass
