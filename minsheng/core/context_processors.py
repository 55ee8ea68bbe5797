"""Navigation per role, built once per request for the base template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .selectors import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    allowed: Callable[[object], bool]


def _any(user) -> bool:
    return user.is_authenticated


def _office(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in ("staff", "leader"))


def _staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == "staff")


# Apps append their own items (in their AppConfig.ready).
NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "house", _any),
    NavItem(_("Members"), "core:member_list", "people", _any),
    NavItem(_("Units"), "core:unit_list", "building", _any),
    NavItem(_("Sectors"), "core:sector_list", "diagram-3", _any),
    NavItem(_("Districts"), "core:district_list", "geo-alt", _any),
    NavItem(_("Search"), "core:search", "search", _any),
    NavItem(_("Jobs"), "core:job_list", "hourglass-split", _office),
    NavItem(_("Back office"), "admin:index", "gear", _staff),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    path = request.path
    items = []
    for item in NAVIGATION:
        if item.allowed(user):
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return {"nav_items": items, "unread_notifications": unread_count(user)}
