"""Demo leases of Shaping Street, reproducing the seed: every room offered for lease in the six
communities is leased (1,011 m² in all), mostly in extended and staggered hours, by the demo
partners for the seed's services (二胡小班 in 雁山's counselling room, the summer homework club
in 凤凰's painting room, forklift training in 和平, calligraphy, ballet, tea and crafts, the
silver-haired choir); three months of revenue reports and remittances; one partner in arrears
(桂林瑜伽工作室: two months' rent and November's share); one request on hold in 南山.

Everything goes through the services and the engine's task actions, with terms relative to
today (they began six months ago), so the demo is never stale.
"""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import services as engine
from workflows.approvals.deadlines import LOCAL_TZ
from workflows.leases import services
from workflows.leases.models import Guideline, Lease, LeaseRequest, RoomRate
from workflows.org.models import Room
from workflows.partners.models import Partner

RATES = {"yoga": "80", "reading": "40", "calligraphy": "50", "painting": "50", "counselling": "40", "dance": "80",
         "classroom": "60"}


def _choices(*rows):
    return [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in rows]


# The request form (purpose lease.request) as the street publishes it: the purpose contract's keys
# and a free description.
REQUEST_FORM = {"sections": [{"title_zh": "服务信息", "title_en": "The service", "rows": [
    {"fields": [
        {"key": "contact_name", "label_zh": "联系人", "label_en": "Contact person", "kind": "text", "required": True},
        {"key": "contact_mobile", "label_zh": "联系电话", "label_en": "Mobile phone", "kind": "mobile",
         "required": True}]},
    {"fields": [
        {"key": "expected_participants", "label_zh": "预计每次参与人数", "label_en": "Expected participants per session",
         "kind": "integer", "required": True, "validators": {"min": "1"}},
        {"key": "target", "label_zh": "服务对象", "label_en": "Target group", "kind": "single_choice", "required": True,
         "validators": {"choices": _choices(("old", "老年人", "The old"), ("young", "少年儿童", "The young"),
                                            ("youth", "青年", "Young adults"), ("all", "全体居民", "All residents"))}}]},
    {"fields": [{"key": "description", "label_zh": "服务内容", "label_en": "What the service offers",
                 "kind": "textarea"}]},
]}]}

FORM_DATA = {"contact_name": "张老师", "contact_mobile": "13800138123", "expected_participants": 12, "target": "all"}


def _slot(days, starts, ends):
    return {"weekdays": list(days), "starts": starts, "ends": ends}


# community, room, partner (public name), service, slots, price model, revenue a month
LEASES = [
    ("fenghuang", "瑜伽室", "静心瑜伽馆", "瑜伽课", [_slot((0, 2), "19:00", "21:00")], "market", "4200.00"),
    ("fenghuang", "阅读室", "七叶树下文祯图书中心", "七叶树下读书会", [_slot((5,), "09:30", "11:30")], "free", "0.00"),
    ("fenghuang", "书法室", "凤凰丹青绘画工作室", "硬笔书法培训", [_slot((5, 6), "14:00", "16:00")], "low", "2600.00"),
    ("fenghuang", "绘画室", "凤凰丹青绘画工作室", "暑期作业托管班", [_slot((0, 2, 4), "14:30", "17:30")], "low", "5800.00"),
    ("fenghuang", "绘画室", "凤凰丹青绘画工作室", "长者国画班", [_slot((1,), "19:00", "21:00")], "low", "1350.00"),
    ("fenghuang", "心理咨询室", "静心瑜伽馆", "长者康复瑜伽", [_slot((3,), "09:00", "11:00")], "low", "900.00"),
    ("gubu", "舞蹈室", "谷埠舞蹈艺术团", "芭蕾形体课", [_slot((5,), "09:00", "11:00"), _slot((1, 3), "19:00", "20:30")],
     "market", "6100.00"),
    ("gubu", "书画室", "谷埠书画社", "书画培训", [_slot((6,), "14:00", "16:00")], "low", "1500.00"),
    ("yanshan", "阅览室", "雁山职业培训学校", "育婴师培训", [_slot((5,), "09:00", "12:00")], "low", "3300.00"),
    ("yanshan", "心理咨询室", "雁山二胡学堂", "二胡小班教学", [_slot((1, 3), "19:00", "20:30")], "low", "2400.00"),
    ("guilin", "瑜伽室", "桂林瑜伽工作室", "瑜伽课", [_slot((1, 3), "19:00", "20:30")], "market", "3800.00"),
    ("guilin", "心理咨询室", "暖心心理服务中心", "心理咨询", [_slot((5,), "14:00", "17:00")], "low", "2000.00"),
    ("nanshan", "绘画室", "南山彩虹画室", "少儿绘画", [_slot((5, 6), "09:30", "11:30")], "low", "3100.00"),
    ("nanshan", "托管教室", "南山童心托管中心", "课后托管", [_slot((0, 1, 2, 3, 4), "14:30", "17:30")], "low",
     "7400.00"),
    ("heping", "培训教室", "鹤山市瑞腾特种作业安全技术培训有限公司", "叉车司机培训", [_slot((5, 6), "09:00", "12:00")],
     "market", "9600.00"),
    ("heping", "培训教室", "鹤山市和平二胡艺术团", "银发合唱团培育", [_slot((2,), "19:00", "20:30")], "free", "0.00"),
    ("heping", "书法室", "墨韵书法工作室", "硬笔书法培训", [_slot((1, 3), "19:00", "20:30")], "low", "2200.00"),
    ("heping", "书法室", "茶语文创工作室", "茶饮文创", [_slot((6,), "14:00", "16:00")], "low", "1800.00"),
]
IN_ARREARS = "桂林瑜伽工作室"
# The 七叶树下 partner gets a login for the lease walkthrough (it asks for 凤凰's painting room).
WALKTHROUGH_PARTNER = "七叶树下文祯图书中心"


def _today() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def ensure_guideline(street) -> Guideline:
    """Version 1 of the street's guideline: the secretary always; the committee over a year or at
    market price; the street over 100 m² or a year; at most 3 years; low price ≤ 70%."""
    guideline, _ = Guideline.objects.get_or_create(
        street=street, version=1,
        defaults={"effective_from": dt.date(2026, 4, 15), "basis": "《沙坪街道社区物业租赁管理工作指引》"})
    return guideline


def ensure_rates() -> None:
    for room in Room.objects.filter(for_lease=True):
        RoomRate.objects.get_or_create(room=room, defaults={"hourly_rate": Decimal(RATES.get(room.kind, "50")),
                                                            "deposit": Decimal("1000.00")})


def ensure_form(context) -> None:
    from forms import services as form_services
    from forms.models import FormDefinition

    if FormDefinition.objects.filter(code="shaping-lease-request").exists():
        return
    admin = context["users"]["admin"]
    definition = form_services.definition_create(actor=admin, code="shaping-lease-request", name="场地租赁申请表",
                                                 purpose=services.PURPOSE, owner=context["street"],
                                                 schema=REQUEST_FORM)
    form_services.version_publish(actor=admin, version=definition.versions.get())


def _tasks(request: LeaseRequest):
    return Task.objects.filter(process_id=request.process_id, status=STATUS.NEW).exclude(owner=None)


def walk_through(request: LeaseRequest, *, signed_on: dt.date) -> Lease:
    """Every review step approved by whoever holds it, then the secretary signs (the demo's and
    the tests' shortcut through the engine's own task actions)."""
    from workflows.org.models import User

    # One task at a time: a countersign decided by its majority closes the remaining votes.
    for _step in range(20):
        request.refresh_from_db()
        task = _tasks(request).order_by("id").first()
        if task is None:
            break
        actor = User.objects.get(pk=task.owner_id)
        if task.data.get("step") == "contract":
            engine.task_act(actor=actor, task_id=task.pk, action="sign", signed_on=signed_on, comment="")
        else:
            engine.task_act(actor=actor, task_id=task.pk, action="approve", comment="同意")
    return Lease.objects.get(request=request)


def load_lease_demo(context: dict) -> None:
    ensure_guideline(context["street"])
    ensure_rates()
    ensure_form(context)
    if Lease.objects.exists():
        return
    users, communities = context["users"], context["communities"]
    today = _today()
    starts = today.replace(day=1) - relativedelta(months=6)
    ends = starts + relativedelta(years=1) - dt.timedelta(days=1)
    partners = {p.public_name: p for p in Partner.objects.select_related("community", "user")}
    walkthrough = partners[WALKTHROUGH_PARTNER].user
    if not walkthrough.has_usable_password():
        walkthrough.password = context["password_hash"]
        walkthrough.save(update_fields=["password"])
    context["users"]["partner_qiyeshu"] = walkthrough
    months = [today.replace(day=1) - relativedelta(months=n) for n in (3, 2, 1)]
    receipt = 10000001
    for code, room_name, partner_name, service, slots, price, revenue in LEASES:
        community = communities[code]
        room = Room.objects.get(community=community, name=room_name)
        partner = partners[partner_name]
        staff = users[f"{code}_staff"]
        # The partner files its own request (staff's 我发起的 stays as the other areas' demos left it).
        request = services.request_file(actor=partner.user, room=room, partner=partner, service=service,
                                        starts_on=starts, ends_on=ends, slots=slots, price_model=price,
                                        data=FORM_DATA)
        lease = walk_through(request, signed_on=starts - dt.timedelta(days=7))
        arrears = partner_name == IN_ARREARS
        # Rent up to last month is paid (this month's is still within its grace period, and the
        # month's books stay as the ledger's own demo left them); the partner in arrears owes two.
        for charge in lease.charges.filter(month__lt=today.replace(day=1)).order_by("month"):
            if arrears and charge.month >= months[1]:
                continue
            services.rent_payment_record(actor=staff, lease=lease, amount=charge.amount,
                                         paid_on=min(charge.due_on + dt.timedelta(days=3), today),
                                         voucher_number=f"ZJ{charge.month:%Y%m}-{lease.pk:03d}")
        if Decimal(revenue) == 0:
            continue
        for i, month in enumerate(months):
            report = services.revenue_report_file(actor=staff, lease=lease, month=month.strftime("%Y-%m"),
                                                  revenue=Decimal(revenue) + 15 * i, sessions=8, participants=60 + i)
            if arrears and i == 2:
                continue
            remitted_on = min(month + relativedelta(months=1, days=9), today)
            services.remittance_record(actor=staff, report=report, amount=report.charity_due,
                                       remitted_on=remitted_on, receipt_code="440701" + "2026",
                                       receipt_number=str(receipt))
            receipt += 1


def load_lease_hold_demo(context: dict) -> None:
    """One request on hold, waiting for 南山's secretary. Filed after the inquiry demo, whose timer
    runs with a clock a month ahead and would let a hold filed before it lapse."""
    if LeaseRequest.objects.filter(state="reviewing").exists():
        return
    communities = context["communities"]
    today = _today()
    partners = {p.public_name: p for p in Partner.objects.select_related("community", "user")}
    waiting = partners["南山便民服务社"]
    services.request_file(actor=waiting.user, room=Room.objects.get(community=communities["nanshan"],
                                                                             name="托管教室"),
                          partner=waiting, service="长者智能手机课堂", starts_on=today.replace(day=1)
                          + relativedelta(months=1), ends_on=today.replace(day=1) + relativedelta(months=7),
                          slots=[_slot((5,), "14:00", "16:00")], price_model="low", data=FORM_DATA)
