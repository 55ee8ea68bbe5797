"""Who may NOT see or do a thing."""

import pytest

from minsheng.core.models import Job

pytestmark = pytest.mark.django_db


def test_only_office_and_self_see_a_members_contact(users):
    member = users["member_record"]
    assert users["staff"].has_perm("core.view_member_contact", member)
    assert users["leader"].has_perm("core.view_member_contact", member)
    assert users["member"].has_perm("core.view_member_contact", member)
    assert not users["unit"].has_perm("core.view_member_contact", member)
    assert not users["district"].has_perm("core.view_member_contact", member)


def test_unit_handler_sees_only_own_units_work(users):
    assert users["unit"].has_perm("core.view_unit_work", users["unit_obj"])
    assert not users["unit"].has_perm("core.view_unit_work", users["other_unit_obj"])
    assert not users["other_unit"].has_perm("core.view_unit_work", users["unit_obj"])
    assert not users["member"].has_perm("core.view_unit_work", users["unit_obj"])
    assert users["staff"].has_perm("core.view_unit_work", users["other_unit_obj"])


def test_reference_data_is_staff_only(users):
    assert users["staff"].has_perm("core.manage_reference")
    for role in ("leader", "member", "unit", "district"):
        assert not users[role].has_perm("core.manage_reference"), role


def test_jobs_visible_to_office_and_creator_only(users):
    job = Job.objects.create(kind="x", title="x", created_by=users["unit"])
    assert users["unit"].has_perm("core.view_job", job)
    assert users["staff"].has_perm("core.view_job", job)
    assert not users["other_unit"].has_perm("core.view_job", job)
    assert not users["member"].has_perm("core.view_job", job)


def test_anonymous_has_nothing(users):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not anon.has_perm("core.view_directory")
    assert not anon.has_perm("core.view_member_contact", users["member_record"])
