"""Shared steps of the partner tests: a call open at a given time, an application filed and
walked through the API the way clients do."""

import datetime as dt

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from forms.checksums import id_card_check_char, uscc_check_char
from workflows.partners import services
from workflows.partners.models import Application


def uscc(seed: int = 1) -> str:
    body = f"91440784MA{seed:07d}"[:17]
    return body + uscc_check_char(body)


def id_card(seed: int = 1) -> str:
    body = f"44078419800101{seed:03d}"
    return body + id_card_check_char(body)


SERVICES = [
    {"name": "长者理发", "category": "home", "paid": "free", "target": "old"},
    {"name": "少儿书法", "category": "education", "paid": "paid", "price": "120.00", "target": "young",
     "expected_revenue": "3000"},
]


def organisation(name="鹤山市测试服务有限公司", seed=7, rows=None) -> dict:
    return {"applicant_type": "organisation", "org_name": name, "uscc": uscc(seed), "mobile": "13800138001",
            "services": rows or SERVICES}


def resident(name="李莉", seed=7, consent=False) -> dict:
    return {"applicant_type": "individual", "person_name": name, "id_card": id_card(seed), "mobile": "13800138002",
            "consent_full_name": consent, "services": SERVICES}


def open_call(users, communities, *, on: dt.date, days: int = 5, code: str = "heping"):
    return services.call_create(actor=users[f"{code}_secretary"], title="测试招募", body="招募合伙人",
                                communities=[communities[code]], opens_on=on - dt.timedelta(days=1),
                                closes_on=on + dt.timedelta(days=90), notice_working_days=days)


def apply(api, call, data) -> dict:
    response = api.post("/api/partner-applications/", {"call": call.pk, "data": data}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def task_of(application_id: int, user, step: str | None = None) -> int:
    application = Application.objects.get(pk=application_id)
    tasks = Task.objects.filter(process_id=application.process_id, status=STATUS.NEW, owner=user)
    if step:
        tasks = tasks.filter(data__step=step)
    return tasks.values_list("pk", flat=True).get()


def act(api, task_id: int, action: str, body=None):
    return api.post(f"/api/tasks/{task_id}/{action}/", body or {}, format="json")


def review(api_for, users, application_id: int, code: str = "heping") -> None:
    """Secretary, two committee members, the street reviewer: each approves through the API."""
    for name in (f"{code}_secretary", f"{code}_committee1", f"{code}_committee2", "shaping_reviewer"):
        user = users[name]
        response = act(api_for(user), task_of(application_id, user), "approve", {"comment": "同意"})
        assert response.status_code == 200, (name, response.json())
