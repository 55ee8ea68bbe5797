"""Permission predicates of the core app (django-rules).

Roles: staff and leaders form "the office"; a unit handler sees only their own unit's work; district
staff their district; a member their own record and drafts. Anonymous visitors see public pages only.
"""

from __future__ import annotations

import rules

from .choices import Role


def _role(user) -> str | None:
    return getattr(user, "role", None) if user is not None and user.is_authenticated else None


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_staff_role(user) -> bool:
    return _role(user) == Role.STAFF


@rules.predicate
def is_leader(user) -> bool:
    return _role(user) == Role.LEADER


@rules.predicate
def is_member(user) -> bool:
    return _role(user) == Role.MEMBER


@rules.predicate
def is_unit_handler(user) -> bool:
    return _role(user) == Role.UNIT_HANDLER and getattr(user, "unit_id", None) is not None


@rules.predicate
def is_district_staff(user) -> bool:
    return _role(user) == Role.DISTRICT_STAFF


is_office = is_superuser | is_staff_role | is_leader


@rules.predicate
def is_self_member(user, member) -> bool:
    return member is not None and user.is_authenticated and member.user_id == user.pk


@rules.predicate
def is_handler_of_unit(user, unit) -> bool:
    return unit is not None and is_unit_handler(user) and user.unit_id == unit.pk


@rules.predicate
def is_job_creator(user, job) -> bool:
    return job is not None and user.is_authenticated and job.created_by_id == user.pk


rules.add_perm("core.view_directory", rules.is_authenticated)
rules.add_perm("core.view_member_contact", is_office | is_self_member)
rules.add_perm("core.view_unit_work", is_office | is_handler_of_unit)
rules.add_perm("core.manage_reference", is_superuser | is_staff_role)
rules.add_perm("core.view_job", is_office | is_job_creator)
rules.add_perm("core.manage_job", is_superuser | is_staff_role | is_job_creator)
rules.add_perm("core.view_all_events", is_office)
rules.add_perm("core.attach_member", is_superuser | is_staff_role | is_self_member)
# Who may open a member's or a unit's attachments (core.views.attachment_download asks `<app>.view_<model>`).
rules.add_perm("core.view_member", is_office | is_self_member)
rules.add_perm("core.view_unit", is_office | is_handler_of_unit)
rules.add_perm("core.attach_unit", is_superuser | is_staff_role | is_handler_of_unit)
