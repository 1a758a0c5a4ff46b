from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from fixtures.loader import load_demo
from workflows.org.models import Community, CommunityEnterprise, OpeningHours, RoleMembership, Room, Street

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_street_has_six_communities_each_with_an_enterprise(demo):
    street = Street.objects.get()
    assert street.name == "沙坪街道"
    names = list(Community.objects.order_by("id").values_list("name", flat=True))
    assert names == ["凤凰社区", "谷埠社区", "雁山社区", "桂林社区", "南山社区", "和平社区"]
    assert CommunityEnterprise.objects.count() == 6
    assert all(e.established_on.month == 4 for e in CommunityEnterprise.objects.all())


def test_rooms_offered_for_lease_total_1011_square_metres(demo):
    total = Room.objects.filter(for_lease=True).aggregate(total=Sum("area_m2"))["total"]
    assert total == Decimal("1011.00")
    kinds = set(Room.objects.filter(for_lease=True).values_list("kind", flat=True))
    assert {"yoga", "reading", "calligraphy", "painting", "counselling"} <= kinds
    # Every community offers something, with extended and staggered hours.
    assert Room.objects.filter(for_lease=True).values("community").distinct().count() == 6
    leased_windows = OpeningHours.objects.filter(room__for_lease=True)
    assert leased_windows.filter(kind="extended").exists() and leased_windows.filter(kind="staggered").exists()


def test_fenghuang_centre_has_1830_square_metres_and_more_than_twenty_rooms(demo):
    fenghuang = Community.objects.get(code="fenghuang")
    assert fenghuang.public_space_m2 == Decimal("1830.00")
    assert Room.objects.filter(community=fenghuang).count() > 20


def test_every_demo_login_exists_with_its_role(demo):
    expected = {"shaping_leader": "street_leader", "shaping_reviewer": "street_reviewer", "admin": "admin"}
    for code in ["fenghuang", "gubu", "yanshan", "guilin", "nanshan", "heping"]:
        expected[f"{code}_secretary"] = "community_secretary"
        expected[f"{code}_staff"] = "community_staff"
        for i in (1, 2, 3):
            expected[f"{code}_committee{i}"] = "community_committee"
    expected["resident_li"] = "resident"
    expected["resident_chen"] = "resident"
    for username, role in expected.items():
        assert RoleMembership.objects.filter(user__username=username, role=role).exists(), username
    assert RoleMembership.objects.get(user__username="resident_li").org_unit.code == "heping"
    assert get_user_model().objects.get(username="admin").is_superuser


def test_loading_the_demo_twice_changes_nothing(db):
    load_demo("first-password")
    User = get_user_model()

    def snapshot():
        return (
            list(Community.objects.values_list("id", "name", "public_space_m2")),
            list(Room.objects.values_list("id", "name", "area_m2", "for_lease")),
            list(OpeningHours.objects.values_list("id", "room_id", "weekday", "opens", "closes", "kind")),
            list(RoleMembership.objects.values_list("id", "user_id", "role", "org_unit_id")),
            list(User.objects.values_list("id", "username", "password")),
        )

    before = snapshot()
    load_demo("another-password")
    assert snapshot() == before


def test_the_demo_command_loads_the_street(db, capsys):
    # The test database starts with the demo loaded under the tests' own password (conftest);
    # a user the command has to create again gets the real demo password. (A user no demo process
    # refers to: the demo's requests and inquiries keep theirs.)
    get_user_model().objects.filter(username="nanshan_committee3").delete()
    call_command("load_demo")
    assert Community.objects.count() == 6
    assert get_user_model().objects.get(username="nanshan_committee3").check_password("shaping2026")
    assert RoleMembership.objects.get(user__username="nanshan_committee3").org_unit.code == "nanshan"


def test_the_demo_password_appears_in_no_code_but_the_demo_command():
    holders = []
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "node_modules", "tests"} for part in path.parts):
            continue
        if "shaping2026" in path.read_text(encoding="utf-8"):
            holders.append(path.relative_to(ROOT).as_posix())
    assert holders == ["workflows/org/management/commands/load_demo.py"]
