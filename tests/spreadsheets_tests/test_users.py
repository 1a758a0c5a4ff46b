"""Users and roles: administrators only; imports create people with roles and no password."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from workflows.org.models import RoleMembership, User
from workflows.org.roles import Role

from .conftest import body, build_sheet, read_sheets

HEADERS = ["用户名", "姓名", "手机号码", "电子邮箱", "角色", "组织单位", "是否启用"]
STAFF = str(Role.COMMUNITY_STAFF.label)
COMMITTEE = str(Role.COMMUNITY_COMMITTEE.label)
LEADER = str(Role.STREET_LEADER.label)


def upload(client, data):
    return client.post("/api/imports/users/", {"file": SimpleUploadedFile("u.xlsx", data)}, format="multipart")


def test_only_an_administrator_exports_users(api_for, users):
    assert api_for(users["shaping_leader"]).get("/api/exports/users.xlsx").status_code == 404
    response = api_for(users["admin"]).get("/api/exports/users.xlsx")
    assert response.status_code == 200
    rows = read_sheets(body(response))["用户与角色"]
    header_at = rows.index(HEADERS)
    table = rows[header_at + 1 :]
    # One row per role, and one for each user without a role (a self-signed-up applicant).
    assert len(table) == RoleMembership.objects.count() + User.objects.filter(memberships=None).count()
    assert ["heping_secretary", "何书记"] == table[[r[0] for r in table].index("heping_secretary")][:2]


def test_an_import_creates_users_with_roles_and_unusable_passwords(api_for, users):
    data = build_sheet(
        HEADERS,
        [
            ["new_staff", "新经办", "13900000000", "", STAFF, "和平社区", "是"],
            ["new_staff", "", "", "", COMMITTEE, "heping", ""],
            ["new_reader", "新居民", "", "", "", "", ""],
        ],
    )
    response = upload(api_for(users["admin"]), data)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3}
    person = User.objects.get(username="new_staff")
    assert person.display_name == "新经办" and not person.has_usable_password()
    assert set(person.memberships.values_list("role", flat=True)) == {Role.COMMUNITY_STAFF, Role.COMMUNITY_COMMITTEE}
    assert not User.objects.get(username="new_reader").memberships.exists()


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["heping_staff", "", "", "", "", "", ""], "用户名"),  # already exists
        (["bad name!", "", "", "", "", "", ""], "用户名"),  # invalid characters
        (["ok_user", "", "", "not-an-email", "", "", ""], "电子邮箱"),
        (["ok_user", "", "", "", "国王", "和平社区", ""], "角色"),
        (["ok_user", "", "", "", STAFF, "火星社区", ""], "组织单位"),
        (["ok_user", "", "", "", LEADER, "和平社区", ""], "角色"),  # a street role in a community
        (["ok_user", "", "", "", "", "", "否"], "是否启用"),
    ],
)
def test_a_bad_user_row_is_reported_and_nobody_is_created(api_for, users, row, column):
    before = (User.objects.count(), RoleMembership.objects.count())
    data = build_sheet(HEADERS, [["fine_user", "", "", "", STAFF, "和平社区", ""], row])
    response = upload(api_for(users["admin"]), data)
    assert response.status_code == 400, response.content
    assert (3, column) in [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert (User.objects.count(), RoleMembership.objects.count()) == before


def test_a_non_administrator_cannot_import_users(api_for, users):
    data = build_sheet(HEADERS, [["sneaky", "", "", "", "", "", ""]])
    assert upload(api_for(users["shaping_leader"]), data).status_code == 404
    assert not User.objects.filter(username="sneaky").exists()
