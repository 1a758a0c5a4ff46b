"""The /ws/notifications/ socket, driven through WebsocketCommunicator."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from notifications.consumers import NotificationConsumer
from notifications.models import Notification
from notifications.services import RoleQueue, notify
from workflows.approvals.events import EventKind
from workflows.org.roles import Role

from .conftest import emit_in_transaction, event, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def notify_now(**kwargs):
    from django.db import transaction

    with transaction.atomic():
        return [row.pk for row in notify(**kwargs)]


def notice(title="Budget meeting"):
    return {"kind": "system.message", "params": {"title": title, "body": "Room 2"}}


async def test_an_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()
    assert connected  # accepted so that the close code reaches the browser
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_hello_carries_the_unread_count_and_a_push_arrives_with_its_own_row_id(users):
    staff = users["gubu_staff"]
    await notify_now(users=[staff], **notice("earlier"))
    socket, hello = await open_socket(staff)
    assert hello == {"type": "hello", "unread": 1, "seq": 1}
    [row_id] = await notify_now(users=[staff], url="/expenses/7/", **notice())
    message = await socket.receive_json_from(timeout=5)
    assert message["type"] == "notification"
    assert message["id"] == row_id
    assert message["kind"] == "system.message"
    assert message["title"] == "通知：Budget meeting"  # Chinese by default
    assert message["body"] == "Room 2"
    assert message["url"] == "/expenses/7/"
    assert message["unread"] == 2
    assert message["seq"] == 2
    assert set(message) == {"type", "id", "seq", "kind", "title", "body", "url", "created_at", "unread"}
    await socket.disconnect()


async def test_a_socket_reads_in_the_language_of_its_cookie(users):
    staff = users["gubu_staff"]
    socket, _hello = await open_socket(staff, headers=[(b"accept-language", b"en-US,en;q=0.9")])
    await notify_now(users=[staff], **notice())
    message = await socket.receive_json_from(timeout=5)
    assert message["title"] == "Notice: Budget meeting"
    await socket.disconnect()


async def test_a_user_never_receives_another_users_notifications(users):
    mine, theirs = users["gubu_staff"], users["heping_staff"]
    socket, _ = await open_socket(mine)
    [their_row] = await notify_now(users=[theirs], **notice("private"))
    assert await socket.receive_nothing(timeout=0.5)
    # nor through resume, nor can it mark their row read
    await socket.send_json_to({"type": "resume", "after_seq": 0})
    await socket.send_json_to({"type": "read", "id": their_row})
    assert await socket.receive_json_from(timeout=5) == {"type": "error", "detail": "No such notification."}
    assert await socket.receive_nothing(timeout=0.3)
    row = await database_sync_to_async(Notification.objects.get)(pk=their_row)
    assert row.read_at is None
    await socket.disconnect()


async def test_a_community_user_never_receives_another_communitys_queue_events(users, communities):
    fenghuang_secretary, gubu_secretary = users["fenghuang_secretary"], users["gubu_secretary"]
    fenghuang_socket, _ = await open_socket(fenghuang_secretary)
    gubu_socket, _ = await open_socket(gubu_secretary)
    await emit_in_transaction(
        event(
            EventKind.TASK_CREATED,
            role=Role.COMMUNITY_SECRETARY,
            org_unit_id=communities["fenghuang"].pk,
            community_id=communities["fenghuang"].pk,
            step=Role.COMMUNITY_SECRETARY,
        )
    )
    message = await fenghuang_socket.receive_json_from(timeout=5)
    assert message["kind"] == "task.queued"
    assert message["title"] == "新待办：Tea for the volunteers"
    assert await gubu_socket.receive_nothing(timeout=0.5)
    gubu_rows = await database_sync_to_async(Notification.objects.filter(recipient=gubu_secretary).count)()
    assert gubu_rows == 0
    await fenghuang_socket.disconnect()
    await gubu_socket.disconnect()


async def test_a_request_reaching_the_street_feeds_every_street_user(users, demo):
    leader_socket, _ = await open_socket(users["shaping_leader"])
    reviewer_socket, _ = await open_socket(users["shaping_reviewer"])
    community_socket, _ = await open_socket(users["heping_secretary"])
    await emit_in_transaction(
        event(
            EventKind.REACHED_STREET,
            street_id=demo["street"].pk,
            community_id=demo["communities"]["heping"].pk,
            title="Stage lighting 12000.00",
        )
    )
    for socket in (leader_socket, reviewer_socket):
        message = await socket.receive_json_from(timeout=5)
        assert message["kind"] == "supervision.reached_street"
        assert "和平" in message["body"]
    assert await community_socket.receive_nothing(timeout=0.5)
    for socket in (leader_socket, reviewer_socket, community_socket):
        await socket.disconnect()


async def test_decisions_go_to_the_submitter_and_cc_and_urges_to_the_assignees(users):
    submitter, cc, assignee, bystander = (
        users["nanshan_staff"], users["nanshan_committee1"], users["nanshan_secretary"], users["nanshan_committee2"]
    )
    sockets = {}
    for user in (submitter, cc, assignee, bystander):
        sockets[user.pk], _ = await open_socket(user)
    await emit_in_transaction(event(EventKind.RETURNED, user_ids=(submitter.pk, cc.pk), actor_id=assignee.pk, comment="附发票"))
    for user in (submitter, cc):
        message = await sockets[user.pk].receive_json_from(timeout=5)
        assert message["kind"] == "request.returned"
        assert "附发票" in message["body"] and str(assignee) in message["body"]
    await emit_in_transaction(event(EventKind.URGED, user_ids=(assignee.pk,), actor_id=submitter.pk))
    message = await sockets[assignee.pk].receive_json_from(timeout=5)
    assert message["kind"] == "request.urged"
    assert await sockets[bystander.pk].receive_nothing(timeout=0.5)
    for socket in sockets.values():
        await socket.disconnect()


async def test_resume_replays_exactly_the_missed_rows_in_order_then_continues_live(users):
    staff = users["yanshan_staff"]
    [seen] = await notify_now(users=[staff], **notice("seen"))
    missed = [(await notify_now(users=[staff], **notice(f"missed {i}")))[0] for i in range(3)]
    seen_seq = await database_sync_to_async(lambda: Notification.objects.get(pk=seen).seq)()
    socket, hello = await open_socket(staff, resume_after_seq=seen_seq)
    assert hello["unread"] == 4
    assert hello["seq"] == seen_seq + 3
    replayed = [await socket.receive_json_from(timeout=5) for _ in range(3)]
    assert [m["id"] for m in replayed] == missed
    assert [m["seq"] for m in replayed] == [seen_seq + 1, seen_seq + 2, seen_seq + 3]
    assert [m["title"] for m in replayed] == [f"通知：missed {i}" for i in range(3)]
    assert await socket.receive_nothing(timeout=0.3)
    [live] = await notify_now(users=[staff], **notice("live"))
    assert (await socket.receive_json_from(timeout=5))["id"] == live
    # a second resume does not resend what this socket already sent
    await socket.send_json_to({"type": "resume", "after_seq": seen_seq})
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_client_that_still_resumes_by_id_gets_the_rows_with_larger_ids(users):
    staff = users["yanshan_staff"]
    [seen] = await notify_now(users=[staff], **notice("seen"))
    [missed] = await notify_now(users=[staff], **notice("missed"))
    socket, _hello = await open_socket(staff)
    await socket.send_json_to({"type": "resume", "after": seen})
    assert (await socket.receive_json_from(timeout=5))["id"] == missed
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_read_marks_one_and_every_socket_of_the_user_hears_the_new_count(users):
    staff = users["guilin_staff"]
    ids = [(await notify_now(users=[staff], **notice(str(i))))[0] for i in range(2)]
    phone, _ = await open_socket(staff)
    laptop, _ = await open_socket(staff)
    await phone.send_json_to({"type": "read", "id": ids[0]})
    assert await phone.receive_json_from(timeout=5) == {"type": "unread", "unread": 1}
    assert await laptop.receive_json_from(timeout=5) == {"type": "unread", "unread": 1}
    row = await database_sync_to_async(Notification.objects.get)(pk=ids[0])
    assert row.read_at is not None
    await phone.disconnect()
    await laptop.disconnect()


async def test_bad_client_messages_get_an_error_not_a_crash(users):
    socket, _ = await open_socket(users["guilin_staff"])
    await socket.send_to(text_data="not json")
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "resume", "after_seq": "abc"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "resume", "after": -1})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "join", "group": "street.1.street_leader"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_a_deeply_nested_message_gets_an_error_and_the_socket_stays_open(users):
    socket, _ = await open_socket(users["guilin_staff"])
    await socket.send_to(text_data="[" * 5000 + "]" * 5000)
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_gaining_and_losing_a_role_rejoins_open_sockets(users, communities):
    from workflows.org.services import membership_grant, membership_revoke

    person, admin = users["gubu_staff"], users["admin"]
    fenghuang = communities["fenghuang"]
    group = f"community.{fenghuang.pk}.community_committee"
    socket, _ = await open_socket(person)

    await database_sync_to_async(membership_grant)(
        actor=admin, user=person, role=Role.COMMUNITY_COMMITTEE, org_unit=fenghuang
    )
    assert (await socket.receive_json_from(timeout=5))["type"] == "unread"  # the rejoin happened
    await notify_now(queues=[RoleQueue(Role.COMMUNITY_COMMITTEE, fenghuang.pk)], **notice("committee vote"))
    message = await socket.receive_json_from(timeout=5)
    assert message["title"] == "通知：committee vote"

    await database_sync_to_async(membership_revoke)(
        actor=admin, user=person, role=Role.COMMUNITY_COMMITTEE, org_unit=fenghuang
    )
    assert (await socket.receive_json_from(timeout=5))["type"] == "unread"
    # the socket has left the group: even a raw message to it no longer arrives
    await get_channel_layer().group_send(group, {"type": "notification.unread", "unread": 99})
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_the_full_asgi_stack_accepts_an_api_token_and_rejects_anonymous(users, settings):
    from rest_framework.authtoken.models import Token

    from project.asgi import application

    settings.ALLOWED_HOSTS = ["testserver"]
    token = await database_sync_to_async(Token.objects.create)(user=users["heping_staff"])
    origin = [(b"origin", b"http://testserver")]
    socket = WebsocketCommunicator(application, f"/ws/notifications/?token={token.key}", headers=origin)
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    await socket.disconnect()

    anonymous = WebsocketCommunicator(application, "/ws/notifications/?token=wrong", headers=origin)
    connected, _ = await anonymous.connect()
    assert connected
    assert await anonymous.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_forwarding_a_push_never_hops_to_the_database_thread(users, monkeypatch):
    import channels.consumer

    hops = []

    async def counting_close_old_connections():
        hops.append(1)

    # Channels >= 4.2's stock dispatch awaits this (in the single sync thread) before every handler.
    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_close_old_connections)
    staff = users["yanshan_staff"]
    socket, _ = await open_socket(staff)
    layer = get_channel_layer()
    for row_id in (101, 102, 103):
        message = {
            "type": "notification.push",
            "content": {"kind": "system.message", "url": "", "created_at": "2026-11-28T10:00:00+00:00",
                        "texts": {"zh-hans": {"title": "t", "body": "b"}, "en": {"title": "t", "body": "b"}}},
            "rows": {str(staff.pk): [row_id, row_id, 1]},
        }
        await layer.group_send(f"user.{staff.pk}", message)
    assert [(await socket.receive_json_from(timeout=5))["id"] for _ in range(3)] == [101, 102, 103]
    assert hops == []
    await socket.disconnect()


def _restart_notification_ids_at(next_id: int) -> None:
    """Make the next notification row take `next_id`: what a transaction that drew its id early
    and committed late looks like to everyone else. notify() draws ids under the recipient's
    counter lock, so two notify() calls for one user cannot do this to each other any more; any
    other writer (or the code before seqs) could, and resume must not depend on it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [Notification._meta.db_table, next_id]
        )


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite holds its one write lock from BEGIN IMMEDIATE to COMMIT and AUTOINCREMENT never hands out "
    "an id below the largest one used, so there ids are always in commit order and the gap cannot occur",
)
async def test_a_row_committed_after_a_higher_id_was_pushed_is_replayed_after_a_reconnect(users):
    staff = users["guilin_staff"]
    [base] = await notify_now(users=[staff], **notice("before"))
    socket, _hello = await open_socket(staff)
    # The higher id commits first and is pushed while the page is connected…
    await database_sync_to_async(_restart_notification_ids_at)(base + 100)
    [high] = await notify_now(users=[staff], **notice("higher id, committed first"))
    pushed = await socket.receive_json_from(timeout=5)
    assert pushed["id"] == high
    await socket.disconnect()
    # …the page is away when the lower id commits.
    await database_sync_to_async(_restart_notification_ids_at)(base + 50)
    [low] = await notify_now(users=[staff], **notice("lower id, committed later"))
    assert low < high

    socket, hello = await open_socket(staff, resume_after_seq=pushed["seq"])
    assert hello["unread"] == 3
    replayed = await socket.receive_json_from(timeout=5)
    assert (replayed["id"], replayed["seq"]) == (low, pushed["seq"] + 1)
    assert replayed["title"] == "通知：lower id, committed later"
    assert await socket.receive_nothing(timeout=0.3)
    # The id cursor is exactly what missed it.
    await socket.send_json_to({"type": "resume", "after": high})
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_push_committed_in_a_plain_thread_reaches_the_socket_on_its_own_loop(users):
    """A job worker or timer thread has no event loop: its pushes go out from the loop the
    sockets wait on (the in-memory layer's queues belong to it), not from a loop of its own."""
    import threading

    from django.db import close_old_connections, transaction

    staff = users["heping_staff"]
    socket, _hello = await open_socket(staff)
    written = []

    def worker():
        try:
            with transaction.atomic():
                written.extend(notify(users=[staff], **notice("from a worker thread")))
        finally:
            close_old_connections()

    thread = threading.Thread(target=worker)
    thread.start()
    await database_sync_to_async(thread.join)()
    message = await socket.receive_json_from(timeout=5)
    assert (message["id"], message["title"]) == (written[0].pk, "通知：from a worker thread")
    await socket.disconnect()


async def test_flush_returns_once_every_queued_push_was_handed_to_the_layer(users):
    from notifications import transports

    staff = users["heping_staff"]
    socket, _hello = await open_socket(staff)
    ids = [(await notify_now(users=[staff], **notice(str(i))))[0] for i in range(3)]
    assert await database_sync_to_async(transports.flush)(timeout=5)
    # Already in the socket's channel: nothing is left in flight.
    assert [(await socket.receive_json_from(timeout=1))["id"] for _ in ids] == ids
    await socket.disconnect()


async def _layer_members(layer, group: str) -> int:
    """Members of a group as the channel layer itself keeps them (in-memory or Redis)."""
    if hasattr(layer, "groups"):  # the in-memory layer
        return len(layer.groups.get(group, {}))
    return await layer.connection(layer.consistent_hash(group)).zcard(layer._group_key(group))


async def test_the_sockets_of_one_process_share_one_channel_layer_member_per_group(users, communities):
    """A group message wakes one reader per process, not one channel-layer receive per socket."""
    first, second = users["heping_committee1"], users["heping_staff"]
    sockets = [(await open_socket(first))[0], (await open_socket(first))[0], (await open_socket(second))[0]]
    layer = get_channel_layer()
    heping = communities["heping"].pk
    group = f"community.{heping}.{Role.COMMUNITY_COMMITTEE}"
    assert await _layer_members(layer, group) == 1  # two sockets of the member, one subscription
    assert await _layer_members(layer, f"user.{first.pk}") == 1

    await notify_now(queues=[RoleQueue(Role.COMMUNITY_COMMITTEE, heping)], **notice("committee"))
    row_id = await database_sync_to_async(lambda: Notification.objects.get(recipient=first).pk)()
    for socket in sockets[:2]:  # both of the member's sockets, each with the member's own row
        message = await socket.receive_json_from(timeout=5)
        assert (message["id"], message["title"]) == (row_id, "通知：committee")
    assert await sockets[2].receive_nothing(timeout=0.3)  # staff are not on the committee

    await sockets[0].disconnect()
    await layer.group_send(f"user.{first.pk}", {"type": "notification.unread", "unread": 7})
    assert await sockets[1].receive_json_from(timeout=5) == {"type": "unread", "unread": 7}
    await sockets[1].disconnect()
    await sockets[2].disconnect()
    assert await _layer_members(layer, group) == 0
    assert await _layer_members(layer, f"user.{first.pk}") == 0
