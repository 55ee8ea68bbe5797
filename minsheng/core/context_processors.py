"""Navigation per role, built once per request for the base template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .selectors import notification_todo_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    allowed: Callable[[object], bool]
    group: str = ""  # items with the same group show as one dropdown, named by GROUPS


GROUPS = {
    "directory": (_("Directory"), "journal-bookmark"),
    "proposals": (_("Proposals"), "file-earmark-text"),
    "hotline": (_("12345 hotline"), "telephone"),
    "system": (_("System"), "gear"),
}


def _any(user) -> bool:
    return user.is_authenticated


def _office(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in ("staff", "leader"))


def _unit_handler(user) -> bool:
    return user.is_authenticated and user.role == "unit_handler"


def _staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == "staff")


# Apps append their own items (in their AppConfig.ready).
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "house", _any),
    NavItem(_("Members"), "core:member_list", "people", _any, "directory"),
    NavItem(_("Units"), "core:unit_list", "building", _any, "directory"),
    NavItem(_("Sectors"), "core:sector_list", "diagram-3", _any, "directory"),
    NavItem(_("Districts"), "core:district_list", "geo-alt", _any, "directory"),
    NavItem(_("Search"), "core:search", "search", _any),
    NavItem(_("Jobs"), "core:job_list", "hourglass-split", _staff, "system"),
    NavItem(_("Back office"), "admin:index", "gear", _staff, "system"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Top-level entries for the user's role: a link, or a dropdown of the links of one group."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "todo_notifications": 0}
    path = request.path
    entries: list[dict[str, object]] = []
    groups: dict[str, dict[str, object]] = {}
    for item in NAVIGATION:
        if not item.allowed(user):
            continue
        url = reverse(item.url_name)
        link = {"label": item.label, "url": url, "icon": item.icon, "active": path == url if url == "/" else path.startswith(url)}
        if not item.group:
            entries.append(link)
            continue
        if item.group not in groups:
            label, icon = GROUPS.get(item.group, (item.group, "folder"))
            groups[item.group] = {"label": label, "icon": icon, "children": [], "active": False}
            entries.append(groups[item.group])
        groups[item.group]["children"].append(link)
        groups[item.group]["active"] = groups[item.group]["active"] or link["active"]
    # A group with a single visible link shows as that link.
    entries = [e["children"][0] if "children" in e and len(e["children"]) == 1 else e for e in entries]
    # The bell shows the to-do count (unread ACTION notifications), not every unread message.
    return {"nav_items": entries, "todo_notifications": notification_todo_count(user)}
