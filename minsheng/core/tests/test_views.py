"""Pages: login, the home dashboard per role in Chinese, directory, permissions, lockout."""

import pytest
from django.urls import reverse

from conftest import login
from minsheng.core.models import Job

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(("role", "title"), [
    ("staff", "机关工作台"), ("leader", "领导总览"), ("member", "委员工作台"), ("unit", "承办单位工作台"),
    ("district", "区政协工作台"),
])
def test_home_per_role_in_chinese(client, users, role, title):
    login(client, users[role])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="dashboard-title">{title}<' in html
    assert 'lang="zh-hans"' in html


def test_navigation_depends_on_role(client, users):
    login(client, users["staff"])
    assert reverse("admin:index") in client.get("/").content.decode()
    login(client, users["member"])
    html = client.get("/").content.decode()
    assert reverse("admin:index") not in html
    assert reverse("core:job_list") not in html


def test_english_switch(client, users):
    login(client, users["staff"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'data-testid="dashboard-title">Office workbench<' in html


def test_member_page_hides_phone_and_timeline_from_units(client, users):
    url = reverse("core:member_detail", args=[users["member_record"].pk])
    login(client, users["unit"])
    html = client.get(url).content.decode()
    assert "13800001111" not in html
    assert 'data-testid="timeline"' not in html
    login(client, users["staff"])
    html = client.get(url).content.decode()
    assert "13800001111" in html
    assert 'data-testid="timeline"' in html


def test_job_pages_forbidden_to_members(client, users):
    job = Job.objects.create(kind="x", title="导入", created_by=users["staff"])
    login(client, users["member"])
    assert client.get(reverse("core:job_list")).status_code == 403
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 403
    login(client, users["staff"])
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("name", ["core:member_list", "core:unit_list", "core:sector_list", "core:district_list",
                                  "core:notifications", "core:search"])
def test_directory_pages_render_with_empty_states(client, users, name):
    login(client, users["member"])
    assert client.get(reverse(name)).status_code == 200


def test_login_and_lockout(client, users):
    response = client.post("/login/", {"username": "staff", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    client.logout()
    for _ in range(5):
        client.post("/login/", {"username": "leader", "password": "wrong"})
    response = client.post("/login/", {"username": "leader", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()


def test_chinese_even_when_the_browser_asks_for_english(client, users):
    login(client, users["leader"])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'data-testid="dashboard-title">领导总览<' in html
