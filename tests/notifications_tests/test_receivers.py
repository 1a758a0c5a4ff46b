"""Process events become notifications inside the process transaction."""

import pytest
from django.db import connection, transaction

from notifications import kinds
from notifications.models import Notification
from notifications.receivers import EVENT_KINDS
from workflows.approvals.events import EventKind, emit
from workflows.org.roles import Role

from .conftest import event


def test_every_event_kind_maps_to_a_registered_notification_kind():
    declared = {value for name, value in vars(EventKind).items() if not name.startswith("_")}
    assert set(EVENT_KINDS) == declared
    for kind in EVENT_KINDS.values():
        assert kinds.get(kind).code == kind


def test_an_event_in_a_rolled_back_process_transaction_leaves_no_notification(users, communities):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            emit(object, event(EventKind.TASK_CREATED, role=Role.COMMUNITY_SECRETARY, org_unit_id=communities["gubu"].pk))
            raise RuntimeError("the approval failed")
    assert not Notification.objects.exists()


def test_a_transfer_reaches_only_the_new_assignee_with_the_actors_name(users):
    new, old = users["heping_committee1"], users["heping_committee2"]
    emit(object, event(EventKind.TASK_TRANSFERRED, user_ids=(new.pk,), actor_id=old.pk, comment="出差中"))
    [row] = Notification.objects.all()
    assert row.recipient == new
    assert row.params["actor"] == str(old)
    title, body = kinds.render(row.kind, row.params, "en")
    assert title == "Transferred to you: Tea for the volunteers"
    assert body == f"{old} transferred this expense request to you. Comment: 出差中"


def test_the_street_queue_and_the_supervision_feed_are_separate_rows(users, demo):
    street = demo["street"]
    emit(object, event(EventKind.TASK_CREATED, role=Role.STREET_REVIEWER, org_unit_id=street.pk, step=Role.STREET_REVIEWER))
    emit(object, event(EventKind.REACHED_STREET, street_id=street.pk, community_id=demo["communities"]["gubu"].pk))
    reviewer_kinds = sorted(Notification.objects.filter(recipient=users["shaping_reviewer"]).values_list("kind", flat=True))
    assert reviewer_kinds == ["supervision.reached_street", "task.queued"]
    leader_kinds = list(Notification.objects.filter(recipient=users["shaping_leader"]).values_list("kind", flat=True))
    assert leader_kinds == ["supervision.reached_street"]


def test_an_assignment_naming_a_role_still_reaches_only_the_assignee(users, communities):
    assignee = users["heping_committee1"]
    emit(object, event(
        EventKind.TASK_ASSIGNED, user_ids=(assignee.pk,), role=Role.COMMUNITY_COMMITTEE,
        org_unit_id=communities["heping"].pk, step=Role.COMMUNITY_COMMITTEE,
    ))
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [(assignee.pk, "task.assigned")]


def test_names_carried_by_the_event_need_no_query(users, communities, django_assert_num_queries):
    submitter, actor = users["heping_staff"], users["heping_secretary"]
    heping = communities["heping"]
    named = event(
        EventKind.RETURNED, user_ids=(submitter.pk,), actor_id=actor.pk, community_id=heping.pk,
        actor_name="和平书记", community_name="和平社区",
    )
    # recipients, counter upsert, INSERT (the last two one statement on PostgreSQL): no User or
    # OrgUnit lookup for the names
    writes = 2 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(writes):
        emit(object, named)
    params = Notification.objects.get().params
    assert (params["actor"], params["community"]) == ("和平书记", "和平社区")
    # without the names the receiver looks them up (two more queries)
    with django_assert_num_queries(writes + 2):
        emit(object, event(EventKind.RETURNED, user_ids=(submitter.pk,), actor_id=actor.pk, community_id=heping.pk))
    params = Notification.objects.order_by("-id").first().params
    assert (params["actor"], params["community"]) == (str(actor), heping.name)


def test_a_one_step_approval_tells_the_filer_once_and_nobody_hears_of_their_own_action(users, communities):
    from tests.expenses_tests.helpers import act, file, leave_spendable
    from workflows.expenses import services as expenses

    staff, secretary = users["heping_staff"], users["heping_secretary"]
    request = file(users, communities, amount="800.00")  # the secretary's step is the whole route
    act(request, secretary)
    kinds_for_staff = list(Notification.objects.filter(recipient=staff, params__process_id=request.pk)
                           .order_by("id").values_list("kind", flat=True))
    assert kinds_for_staff == ["request.approved"]
    # The staff member pays it herself: no notice of her own payment.
    leave_spendable(users, communities["heping"], "1000.00")
    expenses.expense_pay(actor=staff, request=request, paid_on=request.created_at.date(), voucher_number="PZ-1")
    assert not Notification.objects.filter(recipient=staff, kind="request.paid").exists()
    assert not Notification.objects.filter(recipient=secretary, params__process_id=request.pk,
                                           kind="request.step_approved").exists()


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(users, communities, client):
    from tests.expenses_tests.helpers import file

    request = file(users, communities, amount="800.00")
    row = Notification.objects.filter(recipient=users["heping_secretary"], kind="task.assigned").latest("id")
    assert row.read_at is None
    client.force_login(users["heping_secretary"])
    page = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{row.pk}/open/"' in page
    response = client.get(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/expenses/{request.pk}/"
    row.refresh_from_db()
    assert row.read_at is not None
    client.force_login(users["gubu_secretary"])
    assert client.get(f"/notifications/{row.pk}/open/").status_code == 404
