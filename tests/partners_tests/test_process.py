"""An application walked through every path of the partner process, through the real API, with
the clock moved by time-machine: reviews with countersign and recusal, return and resubmit,
reject, the 公示 and its timer across a holiday, objections that suspend the clock (dismissed,
upheld), the agreement, suspension, exit and the term-end reminder."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from workflows.approvals import services as engine
from workflows.approvals.models import HistoryEntry, RouteTask
from workflows.org.models import RoleMembership
from workflows.partners import services
from workflows.partners.models import Application, Notice, Objection, Partner, Service
from workflows.partners.states import ApplicationState, PartnerState

from .helpers import act, apply, open_call, organisation, resident, review, task_of

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 30 September 2025, the day before the National Day holiday (1–8 October; Saturday
# 11 October is a make-up working day). Five working days: 9, 10, 11, 13, 14 October.
PUBLISHED = dt.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
NOTICE_ENDS = dt.date(2025, 10, 14)


@pytest.fixture
def applicant(django_user_model):
    return django_user_model.objects.create_user(username="new_applicant", display_name="新申请人", password="x" * 12)


@pytest.fixture
def call(users, communities):
    with time_machine.travel(PUBLISHED, tick=False):
        return open_call(users, communities, on=PUBLISHED.date())


def history(application_id) -> list[str]:
    return list(HistoryEntry.objects.filter(process_kind="partner", process_id=application_id)
                .order_by("id").values_list("action", flat=True))


def state(application_id) -> str:
    return Application.objects.get(pk=application_id).state


def noticed(api_for, users, applicant, call, data=None) -> int:
    """An application through its three reviews at PUBLISHED: its notice opens."""
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(applicant), call, data or organisation())
        review(api_for, users, body["id"])
    assert state(body["id"]) == ApplicationState.NOTICE
    return body["id"]


def sweep(at: dt.datetime) -> dict:
    with time_machine.travel(at, tick=False):
        return engine.deadlines_sweep()


# --- reviews ------------------------------------------------------------------------------------


def test_reviews_run_secretary_committee_countersign_and_street_with_the_applicant_recused(
        api_for, users, call):
    # A committee member applies as a resident: she is recused from the committee's vote.
    member = users["heping_committee3"]
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(member), call, resident(name="何丙", seed=3))
        assert body["state"] == "reviewing" and body["route"][:3] == ["community_review", "committee", "street_review"]
        secretary = users["heping_secretary"]
        tasks = api_for(secretary).get("/api/tasks/").json()["results"]
        mine = [t for t in tasks if t["process"] == {"kind": "partner", "id": body["id"]}]
        assert [(t["step"], sorted(t["actions"])) for t in mine] == [
            ("community_review", ["approve", "reject", "return", "transfer"])]
        assert act(api_for(secretary), mine[0]["id"], "approve").status_code == 200
        recused = HistoryEntry.objects.get(process_kind="partner", process_id=body["id"], action="recuse",
                                           actor=member)
        assert recused.detail == {"reason": "submitter"}
        # The secretary signed the step before: two voters remain, a majority of two is needed.
        voters = ["heping_committee1", "heping_committee2"]
        assert act(api_for(users[voters[0]]), task_of(body["id"], users[voters[0]]), "approve").status_code == 200
        assert state(body["id"]) == "reviewing"
        assert act(api_for(users[voters[1]]), task_of(body["id"], users[voters[1]]), "approve").status_code == 200
        reviewer = users["shaping_reviewer"]
        assert act(api_for(reviewer), task_of(body["id"], reviewer), "approve").status_code == 200
    assert state(body["id"]) == "notice"
    # Two recusals: the applicant, and the secretary who signed the step before.
    assert history(body["id"]) == ["submit", "approve", "recuse", "recuse", "approve", "approve", "step_passed", "approve"]
    notice = Notice.objects.get(application_id=body["id"])
    assert (notice.starts_on, notice.ends_on, notice.working_days) == (PUBLISHED.date(), NOTICE_ENDS, 5)


def test_a_returned_application_is_edited_and_resubmitted_and_starts_again(api_for, users, applicant, call):
    api = api_for(applicant)
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api, call, organisation())
        secretary = users["heping_secretary"]
        assert act(api_for(secretary), task_of(body["id"], secretary), "return",
                   {"comment": "请补充价格"}).status_code == 200
        assert state(body["id"]) == "returned"
        bad = api.post(f"/api/partner-applications/{body['id']}/resubmit/",
                       {"data": {**organisation(), "uscc": "91440784MA00000070"}}, format="json")
        assert bad.status_code == 400 and "data.uscc" in bad.json()
        again = api.post(f"/api/partner-applications/{body['id']}/resubmit/",
                         {"data": organisation(name="鹤山市新名称服务有限公司"), "comment": "已补充"}, format="json")
        assert again.status_code == 200 and again.json()["state"] == "reviewing" and again.json()["round"] == 2
        assert api.post(f"/api/partner-applications/{body['id']}/resubmit/", {}, format="json").status_code == 409
        assert act(api_for(secretary), task_of(body["id"], secretary), "approve").status_code == 200
    assert Application.objects.get(pk=body["id"]).name == "鹤山市新名称服务有限公司"
    assert history(body["id"])[:4] == ["submit", "return", "resubmit", "approve"]


def test_the_street_rejects_and_the_application_ends(api_for, users, applicant, call):
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(applicant), call, organisation())
        for name in ("heping_secretary", "heping_committee1", "heping_committee2"):
            assert act(api_for(users[name]), task_of(body["id"], users[name]), "approve").status_code == 200
        reviewer = users["shaping_reviewer"]
        assert act(api_for(reviewer), task_of(body["id"], reviewer), "reject", {"comment": "资质不符"}).status_code == 200
    assert state(body["id"]) == "rejected"
    assert not Notice.objects.filter(application_id=body["id"]).exists()


def test_the_applicant_withdraws_before_anyone_decided(api_for, applicant, call):
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(applicant), call, organisation())
        response = api_for(applicant).post(f"/api/partner-applications/{body['id']}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


# --- the notice ---------------------------------------------------------------------------------


def test_the_notice_ends_by_timer_across_the_national_day_holiday_as_the_system(api_for, users, applicant, call):
    application_id = noticed(api_for, users, applicant, call)
    detail = api_for(applicant).get(f"/api/partner-applications/{application_id}/").json()
    assert detail["notice"]["ends_on"] == "2025-10-14" and detail["notice"]["suspended"] is False
    # Nobody holds the notice period: it is in no one's inbox and no one can act on it.
    assert all(t["process"]["id"] != application_id or t["step"] != "notice"
               for name in ("heping_secretary", "heping_staff")
               for t in api_for(users[name]).get("/api/tasks/").json()["results"])
    assert sweep(dt.datetime(2025, 10, 14, 23, 59, tzinfo=TZ))["timeouts"] == 0
    assert state(application_id) == "notice"
    assert sweep(dt.datetime(2025, 10, 15, 0, 1, tzinfo=TZ))["timeouts"] == 1
    assert state(application_id) == "agreement"
    row = HistoryEntry.objects.get(process_kind="partner", process_id=application_id, action="notice_end")
    assert row.actor is None and (row.state_before, row.state_after) == ("notice", "agreement")
    notice = Notice.objects.get(application_id=application_id)
    assert notice.outcome == "passed" and notice.closed_at is not None
    # The secretary now holds the agreement task, and only its own verb.
    secretary = users["heping_secretary"]
    rows = [t for t in api_for(secretary).get("/api/tasks/").json()["results"]
            if t["process"] == {"kind": "partner", "id": application_id}]
    assert [(t["step"], sorted(t["actions"])) for t in rows] == [("agreement", ["agreement", "transfer"])]
    assert act(api_for(secretary), rows[0]["id"], "approve").status_code == 404


def test_an_objection_suspends_the_clock_and_once_dismissed_it_resumes_with_the_days_left(
        api_for, users, applicant, call):
    application_id = noticed(api_for, users, applicant, call)
    resident_api = api_for(users["resident_li"])
    # Filed on Friday 10 October: 9 and 10 October have passed, three working days are left.
    with time_machine.travel(dt.datetime(2025, 10, 10, 15, 0, tzinfo=TZ), tick=False):
        response = resident_api.post(f"/api/partner-applications/{application_id}/objections/",
                                     {"reason": "价格偏高，建议核实。"}, format="json")
        assert response.status_code == 201
        detail = api_for(applicant).get(f"/api/partner-applications/{application_id}/").json()
        assert detail["notice"]["suspended"] is True and detail["notice"]["days_left"] == 3
    # Suspended, the period does not end on its day.
    assert sweep(dt.datetime(2025, 10, 20, 9, 0, tzinfo=TZ))["timeouts"] == 0
    assert state(application_id) == "notice"
    secretary = users["heping_secretary"]
    task = task_of(application_id, secretary, step="objection")
    assert act(api_for(secretary), task, "dismiss", {}).status_code == 400
    with time_machine.travel(dt.datetime(2025, 10, 20, 10, 0, tzinfo=TZ), tick=False):  # Monday
        assert act(api_for(secretary), task, "dismiss", {"reply": "价格已经核实，符合低偿标准。"}).status_code == 200
    objection = Objection.objects.get(application_id=application_id)
    assert objection.state == "dismissed" and objection.answered_by == secretary
    notice = Notice.objects.get(application_id=application_id)
    # Three working days from Monday 20 October: 21, 22, 23 October.
    assert (notice.suspended, notice.ends_on) == (False, dt.date(2025, 10, 23))
    assert RouteTask.objects.get(task_id=notice.task_id).due_at == dt.datetime(2025, 10, 24, tzinfo=TZ)
    assert Notification.objects.filter(recipient=users["resident_li"], kind="partner.objection_answered").exists()
    assert sweep(dt.datetime(2025, 10, 23, 23, 0, tzinfo=TZ))["timeouts"] == 0
    assert sweep(dt.datetime(2025, 10, 24, 0, 1, tzinfo=TZ))["timeouts"] == 1
    assert state(application_id) == "agreement"
    assert history(application_id)[-3:] == ["object", "dismiss", "notice_end"]
    # Published anonymised: the reason and the reply, never the objector.
    public = api_for(users["resident_li"]).get("/api/public/notices/?community=heping").json()
    shown = next(n for n in public if n["application"] == application_id)
    assert shown["objections"][0]["reply"].startswith("价格已经核实") and "objector" not in shown["objections"][0]


def test_two_objections_keep_the_clock_stopped_until_the_last_is_answered(api_for, users, applicant, call):
    application_id = noticed(api_for, users, applicant, call)
    with time_machine.travel(dt.datetime(2025, 10, 9, 9, 0, tzinfo=TZ), tick=False):
        for name in ("resident_li", "heping_staff"):
            assert api_for(users[name]).post(f"/api/partner-applications/{application_id}/objections/",
                                             {"reason": "有异议"}, format="json").status_code == 201
    secretary = users["heping_secretary"]
    first, second = sorted(Objection.objects.filter(application_id=application_id).values_list("task_id", flat=True))
    with time_machine.travel(dt.datetime(2025, 10, 13, 9, 0, tzinfo=TZ), tick=False):
        assert act(api_for(secretary), first, "dismiss", {"reply": "不成立"}).status_code == 200
        assert Notice.objects.get(application_id=application_id).suspended is True
        assert act(api_for(secretary), second, "dismiss", {"reply": "不成立"}).status_code == 200
        notice = Notice.objects.get(application_id=application_id)
        # Four days were left on 9 October (10, 11, 13, 14); from 13 October: 14, 15, 16, 17.
        assert (notice.suspended, notice.ends_on) == (False, dt.date(2025, 10, 17))


def test_an_upheld_objection_ends_the_application_rejected_with_the_reason_published(
        api_for, users, applicant, call):
    application_id = noticed(api_for, users, applicant, call)
    with time_machine.travel(dt.datetime(2025, 10, 9, 9, 0, tzinfo=TZ), tick=False):
        assert api_for(users["resident_li"]).post(f"/api/partner-applications/{application_id}/objections/",
                                                  {"reason": "该机构无相关资质。"}, format="json").status_code == 201
        secretary = users["heping_secretary"]
        task = task_of(application_id, secretary, step="objection")
        assert act(api_for(secretary), task, "uphold", {"reply": "经核实，该机构资质已过期。"}).status_code == 200
        assert act(api_for(secretary), task, "uphold", {"reply": "再次"}).status_code == 409
    application = Application.objects.get(pk=application_id)
    assert application.state == "rejected" and application.outcome_reason == "经核实，该机构资质已过期。"
    assert Notice.objects.get(application_id=application_id).outcome == "rejected"
    assert not engine.open_tasks(application).exists()
    public = api_for(users["resident_li"]).get("/api/public/notices/?community=heping").json()
    shown = next(n for n in public if n["application"] == application_id)
    assert shown["outcome"] == "rejected" and shown["outcome_reason"] == "经核实，该机构资质已过期。"
    with time_machine.travel(dt.datetime(2025, 10, 10, 9, 0, tzinfo=TZ), tick=False):
        late = api_for(users["resident_li"]).post(f"/api/partner-applications/{application_id}/objections/",
                                                  {"reason": "再提"}, format="json")
    assert late.status_code == 409


def test_objections_are_refused_outside_a_notice(api_for, users, applicant, call):
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(applicant), call, organisation())
        response = api_for(users["resident_li"]).post(f"/api/partner-applications/{body['id']}/objections/",
                                                      {"reason": "x"}, format="json")
    assert response.status_code == 409  # not (yet) on the notice board
    assert api_for(users["resident_li"]).post("/api/partner-applications/99999999/objections/",
                                              {"reason": "x"}, format="json").status_code == 404
    too_long = api_for(users["resident_li"]).post(f"/api/partner-applications/{body['id']}/objections/",
                                                  {"reason": "长" * 1001}, format="json")
    assert too_long.status_code == 400 and "reason" in too_long.json()


# --- the agreement and the partner ----------------------------------------------------------------


def _to_agreement(api_for, users, applicant, call, data=None) -> int:
    application_id = noticed(api_for, users, applicant, call, data)
    sweep(dt.datetime(2025, 10, 15, 0, 1, tzinfo=TZ))
    assert state(application_id) == "agreement"
    return application_id


def test_the_agreement_makes_the_applicant_an_active_partner_with_the_role_and_services_in_the_catalogue(
        api_for, users, applicant, call, anon_api):
    application_id = _to_agreement(api_for, users, applicant, call)
    secretary = users["heping_secretary"]
    task = task_of(application_id, secretary, step="agreement")
    with time_machine.travel(dt.datetime(2025, 10, 16, 10, 0, tzinfo=TZ), tick=False):
        too_long = act(api_for(secretary), task, "agreement",
                       {"starts_on": "2025-11-01", "ends_on": "2030-11-02", "services": [0, 1]})
        assert too_long.status_code == 400 and "ends_on" in too_long.json()
        unknown = act(api_for(secretary), task, "agreement",
                      {"starts_on": "2025-11-01", "ends_on": "2027-10-31", "services": [5]})
        assert unknown.status_code == 400 and "services" in unknown.json()
        ok = act(api_for(secretary), task, "agreement",
                 {"starts_on": "2025-11-01", "ends_on": "2027-10-31", "services": [1]})
        assert ok.status_code == 200, ok.json()
    application = Application.objects.get(pk=application_id)
    assert application.state == "signed"
    partner = Partner.objects.get(application=application)
    assert partner.state == "active" and partner.user == applicant and partner.term_ends_on == dt.date(2027, 10, 31)
    assert partner.agreement.number.startswith("和平合协〔2025〕第 ") and partner.agreement.number.endswith(" 号")
    assert RoleMembership.objects.filter(user=applicant, role="partner", org_unit__code="heping").exists()
    assert list(partner.services.values_list("name", flat=True)) == ["少儿书法"]
    catalogue = anon_api.get("/api/public/catalogue/?community=heping&target=young&paid=paid").json()
    assert any(s["name"] == "少儿书法" and s["partner"] == "鹤山市测试服务有限公司" for s in catalogue)
    assert history(application_id)[-2:] == ["notice_end", "agreement"]


def test_a_resident_partner_is_masked_in_public_unless_she_consented(api_for, users, applicant, call, anon_api):
    application_id = _to_agreement(api_for, users, applicant, call, resident(name="李莉"))
    public = anon_api.get("/api/public/notices/?community=heping").json()
    shown = next(n for n in public if n["application"] == application_id)
    assert shown["name"] == "李某"
    assert "李莉" not in str(public) and "13800138002" not in str(public)


def _signed_partner(api_for, users, applicant, call) -> Partner:
    application_id = _to_agreement(api_for, users, applicant, call)
    secretary = users["heping_secretary"]
    with time_machine.travel(dt.datetime(2025, 10, 16, 10, 0, tzinfo=TZ), tick=False):
        assert act(api_for(secretary), task_of(application_id, secretary, step="agreement"), "agreement",
                   {"starts_on": "2025-11-01", "ends_on": "2026-10-31", "services": [0, 1]}).status_code == 200
    return Partner.objects.get(application_id=application_id)


def test_a_partner_is_suspended_resumed_and_exits_and_its_services_leave_the_catalogue(
        api_for, users, applicant, call, anon_api):
    partner = _signed_partner(api_for, users, applicant, call)
    secretary = api_for(users["heping_secretary"])

    def listed():
        return {s["name"] for s in anon_api.get("/api/public/catalogue/?community=heping").json()
                if s["partner"] == partner.public_name}

    assert listed() == {"长者理发", "少儿书法"}
    assert secretary.post(f"/api/partners/{partner.pk}/suspend/", {}, format="json").status_code == 400
    assert api_for(applicant).post(f"/api/partners/{partner.pk}/suspend/", {"reason": "x"},
                                   format="json").status_code == 404
    body = secretary.post(f"/api/partners/{partner.pk}/suspend/", {"reason": "场地整改"}, format="json").json()
    assert body["state"] == "suspended" and listed() == set()
    assert secretary.post(f"/api/partners/{partner.pk}/suspend/", {"reason": "again"}, format="json").status_code == 409
    assert secretary.post(f"/api/partners/{partner.pk}/resume/", {}, format="json").json()["state"] == "active"
    assert listed() == {"长者理发", "少儿书法"}
    # Either side may end it: here the partner.
    body = api_for(applicant).post(f"/api/partners/{partner.pk}/exit/", {"reason": "个人原因"}, format="json").json()
    assert body["state"] == "exited" and listed() == set()
    assert not RoleMembership.objects.filter(user=applicant, role="partner", org_unit__code="heping").exists()
    detail = secretary.get(f"/api/partners/{partner.pk}/").json()
    assert [h["action"] for h in detail["history"]] == ["partner_suspend", "partner_resume", "partner_exit"]
    assert Service.objects.filter(partner=partner).count() == 2  # the history stays


def test_partner_and_secretary_are_reminded_30_days_before_the_term_ends_and_the_partner_exits_after_it(
        api_for, users, applicant, call):
    partner = _signed_partner(api_for, users, applicant, call)  # term ends 31 October 2026
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ), tick=False):
        assert services.partners_sweep()["reminded"] == 0  # 31 days before: not yet
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ), tick=False):
        assert services.partners_sweep()["reminded"] == 1
        assert services.partners_sweep()["reminded"] == 0  # once
    for user in (applicant, users["heping_secretary"]):
        assert Notification.objects.filter(recipient=user, kind="partner.term_ending").count() == 1
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=TZ), tick=False):
        services.partners_sweep()
    partner.refresh_from_db()
    assert partner.state == PartnerState.EXITED
    assert HistoryEntry.objects.filter(process_kind="partner_member", process_id=partner.pk,
                                       action="partner_exit", actor=None).exists()


def test_an_objection_by_the_secretary_herself_is_answered_by_the_street(api_for, users, applicant, call):
    application_id = noticed(api_for, users, applicant, call)
    with time_machine.travel(dt.datetime(2025, 10, 9, 9, 0, tzinfo=TZ), tick=False):
        assert api_for(users["heping_secretary"]).post(f"/api/partner-applications/{application_id}/objections/",
                                                       {"reason": "我本人提出异议"}, format="json").status_code == 201
    task = Objection.objects.get(application_id=application_id).task_id
    assert act(api_for(users["heping_secretary"]), task, "dismiss", {"reply": "x"}).status_code == 404
    assert act(api_for(users["shaping_reviewer"]), task, "dismiss", {"reply": "不成立"}).status_code == 200


def test_the_applicant_urges_and_the_community_comments_as_on_every_route(api_for, users, applicant, call):
    with time_machine.travel(PUBLISHED, tick=False):
        body = apply(api_for(applicant), call, organisation())
        url = f"/api/partner-applications/{body['id']}"
        assert api_for(applicant).post(f"{url}/urge/", {}, format="json").status_code == 200
        assert api_for(applicant).post(f"{url}/urge/", {}, format="json").status_code == 429
        assert api_for(users["heping_staff"]).post(f"{url}/comment/", {"comment": "请补充资质"},
                                                   format="json").status_code == 200
        assert api_for(users["fenghuang_secretary"]).post(f"{url}/comment/", {"comment": "x"},
                                                          format="json").status_code == 404
    assert history(body["id"]) == ["submit", "urge", "comment"]
