"""The demo reproduces the seed's partner figures, through the services."""

from decimal import Decimal

import pytest

from workflows.approvals.models import HistoryEntry
from workflows.org.models import RoleMembership
from workflows.partners.models import Application, Objection, Partner, Service
from workflows.partners.states import ApplicationState, PartnerState

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_seeds_partners_services_and_revenue(demo):
    active = Partner.objects.filter(state=PartnerState.ACTIVE)
    assert active.count() == 29
    assert active.filter(community__code="heping").count() == 17
    heping = Service.objects.filter(community__code="heping", listed=True)
    assert heping.count() == 88
    assert heping.order_by().values("category").distinct().count() == 11
    assert heping.filter(paid=True).exists() and heping.filter(paid=False).exists()
    assert {"old", "young", "youth"} <= set(heping.values_list("target", flat=True))
    assert Service.objects.filter(listed=True).count() > 100
    # Summed in Python: SQLite sums decimals as floats.
    assert sum(Service.objects.values_list("expected_revenue", flat=True)) == Decimal("72000.00")
    names = set(active.values_list("public_name", flat=True))
    assert {"鹤山市瑞腾特种作业安全技术培训有限公司", "宝芝林医院", "强哥说媒", "优阅托管", "银姐"} <= names
    assert Partner.objects.get(public_name="七叶树下文祯图书中心").community.code == "fenghuang"
    assert Service.objects.filter(partner__public_name__startswith="鹤山市瑞腾", name="叉车司机培训").exists()
    assert Service.objects.filter(partner__public_name="银姐", name="每月义剪", paid=False).exists()


def test_every_demo_partner_has_a_history_row_an_agreement_and_the_partner_role(demo):
    for partner in Partner.objects.select_related("agreement"):
        assert HistoryEntry.objects.filter(process_kind="partner_member", process_id=partner.pk).exists()
        assert RoleMembership.objects.filter(user=partner.user, role="partner", org_unit=partner.community).exists()
    assert Partner.objects.get(user__username="partner_ruiteng").agreement.number == "和平合协〔2026〕第 001 号"
    assert demo["users"]["partner_yinjie"].has_usable_password()


def test_the_demo_shows_the_live_process(demo):
    noticed = Application.objects.get(state=ApplicationState.NOTICE)
    assert noticed.notice.suspended and noticed.notice.days_left == 5
    assert Objection.objects.filter(application=noticed, state=Objection.State.OPEN).count() == 1
    assert Application.objects.filter(state=ApplicationState.REVIEWING).count() == 1
