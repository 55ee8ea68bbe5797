"""Events, notifications, attachments and API tokens."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from minsheng.core import selectors, services
from minsheng.core.errors import Forbidden, Invalid
from minsheng.core.models import Attachment, Event, Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 100


def test_event_record_and_timeline(users):
    member = users["member_record"]
    services.event_record(actor=users["staff"], verb="status_changed", target=member, from_state="active",
                          to_state="suspended", note="因工作调动暂停履职", data={"by": "office"})
    services.event_record(actor=None, verb="reminder_sent", target=member)
    events = list(selectors.timeline(member))
    assert [(e.verb, e.from_state, e.to_state) for e in events] == [
        ("status_changed", "active", "suspended"), ("reminder_sent", "", "")]
    assert events[0].actor == users["staff"]
    assert events[0].data == {"by": "office"}
    assert events[1].actor is None
    assert list(selectors.timeline(users["unit_obj"])) == []


def test_notify_stores_inbox_and_mails_after_commit(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[users["member"], users["staff"]], title="提案已交办", body="请查看", email=True)
    assert Notification.objects.filter(title="提案已交办").count() == 2
    assert mail.outbox == []  # nothing sent before commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["member@example.org", "staff@example.org"]


def test_mark_read_only_touches_own(users):
    services.notify(recipients=[users["member"], users["staff"]], title="t")
    assert services.notification_mark_read(actor=users["member"]) == 1
    assert Notification.objects.filter(recipient=users["staff"], read_at__isnull=True).count() == 1


def test_attachment_accepted_is_stored_with_event(users, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        att = services.attachment_add(actor=users["staff"], target=users["member_record"],
                                      upload=SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf"))
        assert att.size == len(PDF)
        assert att.original_name == "调研报告.pdf"
        assert (tmp_path / att.file.name).read_bytes() == PDF
    assert Event.objects.filter(verb="attachment_added").count() == 1


@pytest.mark.parametrize(("name", "content", "code"), [
    ("big.pdf", PDF + b"x" * 2048, "attachment_too_large"),
    ("run.exe", b"MZ\x90\x00" + b"0" * 10, "attachment_type_refused"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "attachment_type_refused"),
    ("empty.pdf", b"", "attachment_empty"),
])
def test_attachment_refused_stores_nothing(users, tmp_path, name, content, code):
    with override_settings(MEDIA_ROOT=tmp_path, ATTACHMENT_MAX_BYTES=1024), pytest.raises(Invalid) as info:
        services.attachment_add(actor=users["staff"], target=users["member_record"],
                                upload=SimpleUploadedFile(name, content))
    assert info.value.code == code
    assert "file" in info.value.fields
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_attachment_permission(users, tmp_path):
    other = users["member_record"]
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(Forbidden):
        services.attachment_add(actor=users["unit"], target=other, upload=SimpleUploadedFile("a.pdf", PDF))
    with override_settings(MEDIA_ROOT=tmp_path):
        services.attachment_add(actor=users["member"], target=other, upload=SimpleUploadedFile("a.pdf", PDF))
        services.attachment_add(actor=users["unit"], target=users["unit_obj"], upload=SimpleUploadedFile("a.pdf", PDF))
        with pytest.raises(Forbidden):
            services.attachment_add(actor=users["unit"], target=users["other_unit_obj"], upload=SimpleUploadedFile("a.pdf", PDF))
    assert Attachment.objects.count() == 2


def test_api_token_roundtrip(users):
    token, key = services.api_token_create(actor=users["unit"], name="区级对接")
    assert key.startswith("ms_") and token.key_hash != key
    assert services.api_token_authenticate(key) == users["unit"]
    services.api_token_revoke(actor=users["unit"], token_id=token.pk)
    assert services.api_token_authenticate(key) is None
    with pytest.raises(Invalid):
        services.api_token_create(actor=users["unit"], name="  ")


def test_a_mail_says_what_happened_and_links_back_absolutely(users, settings):
    settings.SITE_URL = "https://minsheng.example.org"
    services._send_mail("提案已交办", "", "/proposals/7/", ["member@example.org"])
    services._send_mail("请查看", "正文", "", ["member@example.org"])
    assert [m.body for m in mail.outbox] == ["提案已交办\n\nhttps://minsheng.example.org/proposals/7/", "正文"]
