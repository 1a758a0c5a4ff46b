"""Inquiry test helpers: a clock on Beijing time, and shortcuts through the real API."""

import datetime as dt

import pytest
import time_machine

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BEIJING)


@pytest.fixture
def clock():
    """clock.move_to(moment): the test starts on Friday 2026-09-18, 10:00 Beijing time — the
    day before the make-up working day of Sunday 2026-09-20, ahead of the Mid-Autumn holiday
    (09-25) and the National Day week (10-01 to 10-07, made up on Saturday 10-10)."""
    with time_machine.travel(at(2026, 9, 18), tick=False) as traveller:
        yield traveller


class Api:
    def __init__(self, api_for, users):
        self.api_for, self.users = api_for, users

    def file(self, who="resident_li", **body):
        body = {"community": "heping", "question": "五月份的政府购买服务收入是怎么用的？", "publish_consent": True, **body}
        return self.api_for(self.users[who]).post("/api/inquiries/", body, format="json")

    def task(self, who, inquiry_id):
        page = self.api_for(self.users[who]).get("/api/tasks/", {"kind": "inquiry"}).json()
        for row in page["results"]:
            if row["process"]["id"] == inquiry_id:
                return row
        return None

    def act(self, who, task_id, action, body=None):
        return self.api_for(self.users[who]).post(f"/api/tasks/{task_id}/{action}/", body or {}, format="json")

    def get(self, who, inquiry_id):
        return self.api_for(self.users[who]).get(f"/api/inquiries/{inquiry_id}/")

    def verb(self, who, inquiry_id, verb, body=None):
        return self.api_for(self.users[who]).post(f"/api/inquiries/{inquiry_id}/{verb}/", body or {}, format="json")

    def history(self, inquiry_id):
        return [row["action"] for row in self.get("resident_li", inquiry_id).json()["history"]]


@pytest.fixture
def api(api_for, users):
    return Api(api_for, users)
