"""An inquiry through every path of its route, on the statutory calendar, with the clock moved.

Filed Friday 2026-09-18: the 20 working days run across the make-up Sunday 09-20, the
Mid-Autumn holiday 09-25, the National Day week 10-01..07 and the make-up Saturday 10-10, so the
answer is due at the end of Thursday 2026-10-22 (24:00 Beijing time).
"""

import datetime as dt

from django.core.management import call_command

from notifications.models import Notification
from tests.inquiries_tests.conftest import at
from workflows.approvals.services import deadlines_sweep
from workflows.inquiries.models import Inquiry

ANSWER_DUE = at(2026, 10, 23, 0, 0)  # 24:00 of 10-22
ACK_DUE = at(2026, 9, 23, 0, 0)      # 3 working days: 09-20 (make-up), 21, 22


def _iso(moment):
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))


def test_filing_answers_by_the_statutory_deadline_and_queues_the_community(api, clock):
    response = api.file()
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and _iso(body["due_at"]) == ANSWER_DUE and body["due_provisional"] is False
    for who in ("heping_staff", "heping_secretary"):
        task = api.task(who, body["id"])
        assert task is not None and task["process"]["kind"] == "inquiry" and task["step"] == "acknowledge"
        assert _iso(task["due_at"]) == ACK_DUE and task["assignee"] is None and "acknowledge" in task["actions"]
    assert api.task("fenghuang_staff", body["id"]) is None
    detail = api.get("resident_li", body["id"]).json()
    assert detail["holder"]["kind"] == "queue" and detail["history"][0]["action"] == "submit"


def test_acknowledged_explained_and_accepted_with_the_answer_published_masked(api, users, clock, client):
    inquiry = api.file(question="我是李阿姨，电话13800138000，想问五月收入的用途。").json()
    ack = api.task("heping_staff", inquiry["id"])
    assert api.act("heping_staff", ack["id"], "acknowledge", {"comment": "已受理"}).status_code == 200
    answer = api.task("heping_secretary", inquiry["id"])
    assert answer["step"] == "answer" and _iso(answer["due_at"]) == ANSWER_DUE
    # The secretary acknowledged nothing here, but even one who had may answer: 受理 is no signature.
    response = api.act("heping_secretary", answer["id"], "answer",
                       {"outcome": "explained", "answer": "用于居家养老上门服务，详见五月公开。联系何书记 13912345678", "publish": True})
    assert response.status_code == 200, response.content
    detail = api.get("resident_li", inquiry["id"]).json()
    assert detail["state"] == "answered" and detail["holder"]["kind"] == "resident"
    assert api.verb("resident_li", inquiry["id"], "accept").status_code == 200
    assert api.get("resident_li", inquiry["id"]).json()["state"] == "closed"
    assert api.history(inquiry["id"]) == ["submit", "acknowledge", "answer", "accept"]
    page = client.get("/public/heping/").content.decode()
    assert "我是李某，电话138****8000" in page and "李阿姨" not in page and "13800138000" not in page
    assert "139****5678" in page
    kinds = set(Notification.objects.filter(recipient=users["resident_li"]).values_list("kind", flat=True))
    assert {"inquiry.acknowledged", "inquiry.answered"} <= kinds


def test_the_secretary_may_acknowledge_and_then_answer_herself(api, clock):
    inquiry = api.file().json()
    ack = api.task("heping_secretary", inquiry["id"])
    assert api.act("heping_secretary", ack["id"], "acknowledge").status_code == 200
    answer = api.task("heping_secretary", inquiry["id"])
    assert answer is not None and answer["step"] == "answer"
    assert api.act("heping_secretary", answer["id"], "answer", {"outcome": "explained", "answer": "好"}).status_code == 200


def test_one_extension_with_a_reason_moves_the_deadline_on_working_days(api, clock):
    inquiry = api.file().json()
    api.act("heping_staff", api.task("heping_staff", inquiry["id"])["id"], "acknowledge")
    task = api.task("heping_secretary", inquiry["id"])
    assert api.act("heping_secretary", task["id"], "extend", {"working_days": 5}).status_code == 400
    assert api.act("heping_secretary", task["id"], "extend", {"working_days": 21, "reason": "x"}).status_code == 400
    assert api.act("heping_secretary", task["id"], "extend", {"working_days": 5, "reason": "需调取凭证"}).status_code == 200
    # 10-22 + 5 working days: 23, 26, 27, 28, 29.
    body = api.get("resident_li", inquiry["id"]).json()
    assert _iso(body["due_at"]) == at(2026, 10, 30, 0, 0) and body["extension_reason"] == "需调取凭证"
    assert _iso(api.task("heping_secretary", inquiry["id"])["due_at"]) == at(2026, 10, 30, 0, 0)
    again = api.act("heping_secretary", task["id"], "extend", {"working_days": 1, "reason": "再延"})
    assert again.status_code == 409 and again.json()["detail"]


def test_a_correction_must_link_what_corrects_it(api, communities, clock):
    from workflows.ledger.models import LedgerLine

    inquiry = api.file().json()
    api.act("heping_staff", api.task("heping_staff", inquiry["id"])["id"], "acknowledge")
    task = api.task("heping_secretary", inquiry["id"])
    response = api.act("heping_secretary", task["id"], "answer", {"outcome": "corrected", "answer": "已更正"})
    assert response.status_code == 400 and "correction_line" in response.json()
    other = LedgerLine.objects.filter(community=communities["fenghuang"]).first()
    response = api.act("heping_secretary", task["id"], "answer",
                       {"outcome": "corrected", "answer": "已更正", "correction_line": other.pk})
    assert response.status_code == 400
    line = LedgerLine.objects.filter(community=communities["heping"]).first()
    response = api.act("heping_secretary", task["id"], "answer",
                       {"outcome": "corrected", "answer": "已更正", "correction_line": line.pk})
    assert response.status_code == 200
    assert api.get("resident_li", inquiry["id"]).json()["correction_line"] == line.pk


def test_answering_before_acknowledging_is_a_409_and_bad_outcomes_a_400(api, clock):
    inquiry = api.file().json()
    task = api.task("heping_secretary", inquiry["id"])
    assert api.act("heping_secretary", task["id"], "answer", {"outcome": "explained", "answer": "x"}).status_code == 409
    assert api.act("heping_secretary", task["id"], "answer", {"outcome": "maybe", "answer": "x"}).status_code == 400


def test_declined_then_escalated_the_street_answers_finally(api, users, clock):
    inquiry = api.file().json()
    api.act("heping_staff", api.task("heping_staff", inquiry["id"])["id"], "acknowledge")
    task = api.task("heping_secretary", inquiry["id"])
    api.act("heping_secretary", task["id"], "answer", {"outcome": "declined", "answer": "不属于财务事项"})
    clock.move_to(at(2026, 9, 21, 9))
    assert api.verb("resident_li", inquiry["id"], "escalate", {}).status_code == 400
    assert api.verb("resident_li", inquiry["id"], "escalate", {"reason": "这是财务问题"}).status_code == 200
    body = api.get("resident_li", inquiry["id"]).json()
    # 20 working days from Monday 09-21 (holidays skipped, Saturday 10-10 worked): Monday 10-26.
    assert body["state"] == "escalated" and _iso(body["due_at"]) == at(2026, 10, 27, 0, 0)
    review = api.task("shaping_reviewer", inquiry["id"])
    assert review["step"] == "street_review" and review["queue"]["role"] == "street_reviewer"
    leader = set(Notification.objects.filter(recipient=users["shaping_leader"]).values_list("kind", flat=True))
    assert "inquiry.escalated" in leader
    assert api.act("shaping_reviewer", review["id"], "answer", {"outcome": "explained", "answer": "街道答复"}).status_code == 200
    body = api.get("resident_li", inquiry["id"]).json()
    assert body["state"] == "closed" and body["closed_how"] == "final"
    assert api.verb("resident_li", inquiry["id"], "escalate", {"reason": "再议"}).status_code == 409
    assert api.history(inquiry["id"]) == ["submit", "acknowledge", "answer", "street_escalate", "answer"]


def test_silence_for_ten_working_days_closes_it_as_accepted(api, clock):
    inquiry = api.file().json()
    api.act("heping_staff", api.task("heping_staff", inquiry["id"])["id"], "acknowledge")
    api.act("heping_secretary", api.task("heping_secretary", inquiry["id"])["id"], "answer",
            {"outcome": "explained", "answer": "说明"})
    # Answered Friday 09-18: 10 working days end on Friday 10-09 (holidays skipped, Sunday 09-20 worked).
    body = api.get("resident_li", inquiry["id"]).json()
    assert _iso(body["resident_due_at"]) == at(2026, 10, 10, 0, 0)
    clock.move_to(at(2026, 10, 9, 23, 59))
    deadlines_sweep()
    assert api.get("resident_li", inquiry["id"]).json()["state"] == "answered"
    clock.move_to(at(2026, 10, 10, 0, 1))
    call_command("approval_deadlines")
    body = api.get("resident_li", inquiry["id"]).json()
    assert body["state"] == "closed" and body["closed_how"] == "silence"
    assert api.history(inquiry["id"])[-1] == "silence_close"
    assert api.verb("resident_li", inquiry["id"], "escalate", {"reason": "晚了"}).status_code == 409


def test_an_unanswered_inquiry_escalates_by_itself_when_overdue(api, users, clock):
    inquiry = api.file().json()
    # Nobody acknowledges within 3 working days: deemed acknowledged by the timer.
    clock.move_to(at(2026, 9, 23, 0, 5))
    call_command("approval_deadlines")
    body = api.get("resident_li", inquiry["id"]).json()
    assert body["history"][-1]["action"] == "acknowledge" and body["history"][-1]["actor"] is None
    assert body["holder"]["step"] == "answer"
    clock.move_to(at(2026, 10, 22, 23, 0))
    call_command("approval_deadlines")
    assert api.get("resident_li", inquiry["id"]).json()["state"] == "open"
    clock.move_to(at(2026, 10, 23, 0, 1))
    call_command("approval_deadlines")
    body = api.get("resident_li", inquiry["id"]).json()
    assert body["state"] == "escalated" and body["holder"]["step"] == "street_review"
    row = body["history"][-1]
    assert row["action"] == "overdue_escalate" and row["actor"] is None and "逾期自动上报" in row["comment"]
    assert row["action_label"] == "逾期自动上报"
    for who in ("shaping_reviewer", "shaping_leader"):
        kinds = set(Notification.objects.filter(recipient=users[who]).values_list("kind", flat=True))
        assert "inquiry.overdue" in kinds
    assert api.task("shaping_reviewer", inquiry["id"])["step"] == "street_review"
    assert Inquiry.objects.get(pk=inquiry["id"]).round == 2


def test_the_resident_urges_once_per_working_day(api, clock):
    inquiry = api.file().json()
    assert api.verb("resident_li", inquiry["id"], "urge").status_code == 200
    again = api.verb("resident_li", inquiry["id"], "urge")
    assert again.status_code == 429 and 0 < int(again["Retry-After"]) <= 14 * 3600 + 1
    # Saturday 09-19 is a rest day: it counts for the make-up Sunday 09-20, a new working day.
    clock.move_to(at(2026, 9, 19, 9))
    assert api.verb("resident_li", inquiry["id"], "urge").status_code == 200
    clock.move_to(at(2026, 9, 20, 9))
    assert api.verb("resident_li", inquiry["id"], "urge").status_code == 429
    clock.move_to(at(2026, 9, 21, 9))
    assert api.verb("resident_li", inquiry["id"], "urge").status_code == 200
    assert api.verb("heping_secretary", inquiry["id"], "urge").status_code == 404


def test_the_acknowledgement_reminder_reaches_everyone_who_shares_the_queue(api, users, clock):
    inquiry = api.file().json()
    # One working day before the acknowledgement's last day (09-22): 09:00 on Monday 09-21.
    clock.move_to(at(2026, 9, 21, 9, 1))
    call_command("approval_deadlines")
    for who in ("heping_staff", "heping_secretary"):
        rows = Notification.objects.filter(recipient=users[who], kind="task.due_soon")
        assert any(r.params.get("process_id") == inquiry["id"] for r in rows), who


def test_the_secretary_publishes_a_consented_answer_later_and_only_with_consent(api, client, clock):
    inquiry = api.file(question="电话 13800138000 的李阿姨问：六月租金收了吗？").json()
    api.act("heping_staff", api.task("heping_staff", inquiry["id"])["id"], "acknowledge")
    api.act("heping_secretary", api.task("heping_secretary", inquiry["id"])["id"], "answer",
            {"outcome": "explained", "answer": "已收，见六月台账。"})
    assert api.verb("heping_staff", inquiry["id"], "publish").status_code == 404
    assert api.verb("heping_secretary", inquiry["id"], "publish").status_code == 200
    assert api.verb("heping_secretary", inquiry["id"], "publish").status_code == 409
    html = client.get("/public/heping/").content.decode()
    assert "电话 138****8000 的李某问" in html and api.history(inquiry["id"])[-1] == "publish_answer"
    private = api.file(publish_consent=False).json()
    api.act("heping_staff", api.task("heping_staff", private["id"])["id"], "acknowledge")
    api.act("heping_secretary", api.task("heping_secretary", private["id"])["id"], "answer",
            {"outcome": "explained", "answer": "好"})
    response = api.verb("heping_secretary", private["id"], "publish")
    assert response.status_code == 400 and "publish" in response.json()
