"""notify(): rows in the caller's transaction, pushes and mail only after commit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from notifications import kinds, selectors, transports
from notifications.models import Notification
from notifications.services import RoleQueue, notification_mark_all_read, notification_mark_read, notify
from workflows.org.roles import Role


def message_params(title="Budget meeting"):
    return {"title": title, "body": "Room 2, 15:00"}


@pytest.fixture
def pushed(monkeypatch):
    """Record what the websocket transport would push (the outside edge)."""
    sent = []
    monkeypatch.setattr(transports, "group_send_all", lambda messages: sent.extend(messages))
    return sent


def test_notify_writes_one_row_per_recipient_and_pushes_after_commit(users, pushed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            rows = notify(kind="system.message", params=message_params(), users=[users["gubu_staff"], users["heping_staff"]])
            assert pushed == []
    assert len(callbacks) == 1
    assert [r.recipient_id for r in rows] == [users["gubu_staff"].pk, users["heping_staff"].pk]
    assert {group for group, _m in pushed} == {f"user.{users['gubu_staff'].pk}", f"user.{users['heping_staff'].pk}"}
    message = dict(pushed)[f"user.{users['gubu_staff'].pk}"]
    # [row id, seq, unread]: the user's first row, first seq, one unread
    assert message["rows"] == {str(users["gubu_staff"].pk): [rows[0].pk, 1, 1]}
    assert message["content"]["texts"]["en"]["title"] == "Notice: Budget meeting"
    assert message["content"]["texts"]["zh-hans"]["title"] != message["content"]["texts"]["en"]["title"]


def test_a_rolled_back_action_leaves_no_row_and_pushes_nothing(users, pushed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(kind="system.message", params=message_params(), users=[users["gubu_staff"]])
                raise RuntimeError("the action failed after notifying")
    assert callbacks == []
    assert pushed == []
    assert not Notification.objects.exists()


def test_a_role_queue_reaches_every_active_holder_once_and_pushes_to_the_role_group(
    users, communities, pushed, django_capture_on_commit_callbacks
):
    fenghuang = communities["fenghuang"]
    committee = [users[f"fenghuang_committee{i}"] for i in (1, 2, 3)]
    committee[2].is_active = False
    committee[2].save()
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            kind="task.queued",
            params={"title": "Printer paper", "step": Role.COMMUNITY_COMMITTEE},
            queues=[RoleQueue(Role.COMMUNITY_COMMITTEE, fenghuang.pk)],
            # the secretary also sits on the committee: one row, not two
            users=[users["fenghuang_secretary"]],
        )
    recipients = sorted(r.recipient_id for r in rows)
    assert recipients == sorted([committee[0].pk, committee[1].pk, users["fenghuang_secretary"].pk])
    groups = dict(pushed)
    group = f"community.{fenghuang.pk}.community_committee"
    assert set(groups) == {group}
    assert set(groups[group]["rows"]) == {str(pk) for pk in recipients}


def test_unknown_kinds_parameters_and_offsite_links_are_rejected(users):
    with pytest.raises(ValidationError):
        notify(kind="no.such.kind", params={"title": "x"}, users=[users["gubu_staff"]])
    with pytest.raises(ValidationError):
        notify(kind="task.queued", params={"title": "x", "colour": "red"}, users=[users["gubu_staff"]])
    with pytest.raises(ValidationError):
        notify(kind="task.queued", params={"step": "x"}, users=[users["gubu_staff"]])
    with pytest.raises(ValidationError):
        notify(kind="task.queued", params={"title": "x"}, url="https://evil.example/", users=[users["gubu_staff"]])
    with pytest.raises(ValidationError):
        notify(kind="task.queued", params={"title": "x"}, url="javascript:alert(1)", users=[users["gubu_staff"]])
    assert not Notification.objects.exists()


def test_rows_render_in_the_readers_language():
    title_en, body_en = kinds.render("task.queued", {"title": "Paper", "step": "street_reviewer", "process_kind": "expense"}, "en")
    title_zh, body_zh = kinds.render("task.queued", {"title": "Paper", "step": "street_reviewer", "process_kind": "expense"}, "zh-hans")
    assert title_en == "New task: Paper"
    assert body_en == "This expense request is waiting for Street reviewer."
    assert title_zh == "新待办：Paper"
    assert body_zh == "此支出申请等待街道审核人处理。"


def test_email_goes_only_to_users_who_switched_it_on(users, settings, django_capture_on_commit_callbacks, pushed):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    keen, quiet = users["gubu_staff"], users["heping_staff"]
    keen.email, keen.email_notifications = "keen@example.org", True
    keen.save()
    quiet.email = "quiet@example.org"
    quiet.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="system.message", params=message_params("Water cut"), users=[keen, quiet])
    assert [m.to for m in mail.outbox] == [["keen@example.org"]]
    assert "Water cut" in mail.outbox[0].subject


def test_a_failing_transport_does_not_stop_the_others(users, monkeypatch, django_capture_on_commit_callbacks, pushed):
    def broken(delivery):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(transports._registry["email"], "deliver", broken)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(kind="system.message", params=message_params(), users=[users["gubu_staff"]])
    assert len(pushed) == 1
    assert Notification.objects.filter(pk=rows[0].pk).exists()


def test_marking_read_is_scoped_to_the_recipient(users, pushed):
    from django.http import Http404

    [row] = notify(kind="system.message", params=message_params(), users=[users["gubu_staff"]])
    with pytest.raises(Http404):
        notification_mark_read(actor=users["heping_staff"], pk=row.pk)
    row.refresh_from_db()
    assert row.read_at is None
    notification_mark_read(actor=users["gubu_staff"], pk=row.pk)
    assert selectors.unread_count(user_id=users["gubu_staff"].pk) == 0


def test_mark_all_read_touches_only_my_rows(users, pushed):
    notify(kind="system.message", params=message_params(), users=[users["gubu_staff"], users["heping_staff"]])
    notify(kind="system.message", params=message_params(), users=[users["gubu_staff"]])
    assert notification_mark_all_read(actor=users["gubu_staff"]) == 2
    assert selectors.unread_count(user_id=users["heping_staff"].pk) == 1
