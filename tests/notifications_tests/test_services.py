"""notify(): rows in the caller's transaction, pushes and mail only after commit."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction

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


def counter(user):
    from notifications.models import NotificationCounter

    return NotificationCounter.objects.filter(user=user).values_list("unread", "seq").first()


def test_the_counter_follows_every_write_that_changes_unread_state(users, pushed):
    me, other = users["gubu_staff"], users["heping_staff"]
    first = notify(kind="system.message", params=message_params("1"), users=[me, other])
    second = notify(kind="system.message", params=message_params("2"), users=[me])
    assert counter(me) == (2, 2) and counter(other) == (1, 1)
    assert [row.seq for row in first + second] == [1, 1, 2]
    notification_mark_read(actor=me, pk=first[0].pk)
    notification_mark_read(actor=me, pk=first[0].pk)  # twice: counted once
    assert counter(me) == (1, 2)
    assert notification_mark_all_read(actor=me) == 1
    assert counter(me) == (0, 2)
    assert counter(other) == (1, 1)
    # and the counter says what the rows say
    for user in (me, other):
        assert selectors.unread_count(user_id=user.pk) == Notification.objects.filter(recipient=user, read_at=None).count()


def test_reading_the_unread_count_is_one_primary_key_read(users, pushed, django_assert_num_queries):
    me = users["gubu_staff"]
    notify(kind="system.message", params=message_params(), users=[me])
    with django_assert_num_queries(1) as captured:
        assert selectors.unread_count(user_id=me.pk) == 1
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()
    # someone never notified has no counter row and nothing unread
    assert selectors.unread_count(user_id=users["heping_staff"].pk) == 0


def test_a_batch_writes_every_call_of_an_action_with_one_query_of_each_kind_and_one_delivery(
    users, communities, pushed, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from notifications.services import notify_batch

    fenghuang = communities["fenghuang"]
    submitter, secretary = users["fenghuang_staff"], users["fenghuang_secretary"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            # recipients, counter upsert, INSERT for three calls (the last two one statement on
            # PostgreSQL), no savepoint
            with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3) as captured, notify_batch():
                assert notify(kind="system.message", params=message_params("step passed"), users=[submitter]) is None
                with notify_batch():  # nested: joins the outer batch
                    notify(
                        kind="task.queued",
                        params={"title": "Printer paper", "step": Role.COMMUNITY_SECRETARY},
                        queues=[RoleQueue(Role.COMMUNITY_SECRETARY, fenghuang.pk)],
                    )
                notify(kind="system.message", params=message_params("to the submitter again"), users=[submitter])
                assert len(captured) == 0  # nothing is written before the batch ends
            assert not any("SAVEPOINT" in q["sql"].upper() for q in captured.captured_queries)
    assert len(callbacks) == 1
    rows = list(Notification.objects.order_by("id").values_list("recipient_id", "kind", "seq"))
    assert rows == [
        (submitter.pk, "system.message", 1),
        (secretary.pk, "task.queued", 1),
        (submitter.pk, "system.message", 2),
    ]
    assert counter(submitter) == (2, 2)
    groups = [group for group, _message in pushed]
    assert groups == [f"user.{submitter.pk}", f"community.{fenghuang.pk}.community_secretary", f"user.{submitter.pk}"]
    # every push of the batch carries the count as it stood at commit
    assert [m["rows"][str(submitter.pk)] for g, m in pushed if g == f"user.{submitter.pk}"] == [
        [rows_pk, seq, 2] for rows_pk, seq in Notification.objects.filter(recipient=submitter).order_by("id").values_list("id", "seq")
    ]


def test_an_error_inside_a_nested_batch_drops_only_its_own_calls(users, pushed, django_capture_on_commit_callbacks):
    from notifications.services import notify_batch

    me = users["gubu_staff"]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), notify_batch():
            notify(kind="system.message", params=message_params("kept"), users=[me])
            with pytest.raises(RuntimeError):
                with transaction.atomic(), notify_batch():
                    notify(kind="system.message", params=message_params("rolled back"), users=[me])
                    raise RuntimeError("the inner step failed")
    assert [row.params["title"] for row in Notification.objects.all()] == ["kept"]
    assert counter(me) == (1, 1)


def test_an_unknown_org_unit_in_a_batch_fails_the_action(users, pushed):
    from notifications.services import notify_batch

    with pytest.raises(ValidationError):
        with transaction.atomic(), notify_batch():
            notify(kind="system.message", params=message_params(), queues=[RoleQueue(Role.COMMUNITY_SECRETARY, 10**9)])
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite's second writer waits at BEGIN IMMEDIATE, before it touches a row: nothing interleaves",
)
def test_two_fan_outs_naming_the_same_users_in_opposite_order_wait_for_each_other_and_number_in_commit_order(
    users, pushed
):
    import threading

    from django.db import close_old_connections, connection

    first, second = users["gubu_staff"], users["heping_staff"]
    holding, release, errors = threading.Event(), threading.Event(), []

    def fan_out(name, recipients, hold):
        try:
            with transaction.atomic():
                notify(kind="system.message", params=message_params(name), users=recipients)
                if hold:
                    holding.set()
                    release.wait(30)
        except Exception as error:  # a deadlock would surface here
            errors.append(error)
        finally:
            close_old_connections()

    a = threading.Thread(target=fan_out, args=("A", [first, second], True))
    a.start()
    assert holding.wait(30)
    b = threading.Thread(target=fan_out, args=("B", [second, first], False))
    b.start()
    # Let A commit only once B is waiting on A's counter row lock.
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second fan-out never waited for the first")
    release.set()
    a.join(30)
    b.join(30)
    assert errors == []
    for user in (first, second):
        titles = list(Notification.objects.filter(recipient=user).order_by("seq").values_list("params__title", flat=True))
        assert titles == ["A", "B"]
        assert counter(user) == (2, 2)
