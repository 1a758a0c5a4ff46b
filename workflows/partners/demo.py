"""Demo partners of Shaping Street, reproducing the seed: 29 partners (17 in 和平 with 88 service
items in 11 categories), more than 100 services street-wide, about ¥72,000 of expected yearly
revenue; and the live process: one application in 公示 with an open objection, one under review.

Everything goes through the services. The first partners signed on paper before the process
ran here, so they are recorded with `partner_enrol_existing` (agreement, services, role and a
history row); the two live applications run the real route.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import services as engine
from workflows.approvals.deadlines import LOCAL_TZ
from workflows.partners import services
from workflows.partners.models import Partner

EXPECTED_REVENUE = Decimal("72000.00")
CATEGORY_CHOICES = [
    ("education", "教育培训", "Education and training"), ("health", "医疗健康", "Health care"),
    ("elderly", "养老服务", "Elderly care"), ("childcare", "托管托育", "Childcare"),
    ("culture", "文体活动", "Culture and sport"), ("skills", "职业技能", "Vocational skills"),
    ("family", "婚恋家庭", "Marriage and family"), ("home", "家政服务", "Home services"),
    ("food", "餐饮送餐", "Meals and delivery"), ("pets", "宠物服务", "Pet services"),
    ("employment", "就业服务", "Employment services"), ("other", "其他", "Other"),
]


def _choices(*rows):
    return [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in rows]


ORGANISATION = {"field": "applicant_type", "op": "eq", "value": "organisation"}
INDIVIDUAL = {"field": "applicant_type", "op": "eq", "value": "individual"}

# The application form (purpose partner.application) as the street would publish it: the keys of
# the purpose contract, plus the expected revenue of each service and the consent to the full name.
APPLICATION_FORM = {"sections": [
    {"title_zh": "申请人", "title_en": "Applicant", "rows": [
        {"fields": [{"key": "applicant_type", "label_zh": "申请人类型", "label_en": "Applicant type",
                     "kind": "single_choice", "required": True, "validators": {"choices": _choices(
                         ("organisation", "组织", "Organisation"), ("individual", "个人（居民）", "Individual (resident)"))}}]},
        {"fields": [
            {"key": "org_name", "label_zh": "组织名称", "label_en": "Organisation name", "kind": "text",
             "required": True, "show_if": ORGANISATION},
            {"key": "uscc", "label_zh": "统一社会信用代码", "label_en": "Unified social credit code", "kind": "uscc",
             "required": True, "show_if": ORGANISATION}]},
        {"fields": [
            {"key": "person_name", "label_zh": "姓名", "label_en": "Name", "kind": "text", "required": True,
             "show_if": INDIVIDUAL},
            {"key": "id_card", "label_zh": "身份证号", "label_en": "ID number", "kind": "id_card", "required": True,
             "show_if": INDIVIDUAL},
            {"key": "consent_full_name", "label_zh": "同意公示全名", "label_en": "Show my full name in public",
             "kind": "yes_no", "show_if": INDIVIDUAL}]},
        {"fields": [{"key": "mobile", "label_zh": "联系电话", "label_en": "Mobile phone", "kind": "mobile",
                     "required": True}]},
    ]},
    {"title_zh": "拟提供的服务", "title_en": "Proposed services", "rows": [
        {"fields": [{"key": "services", "label_zh": "服务项目", "label_en": "Services", "kind": "table",
                     "min_rows": 1, "max_rows": 30, "columns": [
                         {"key": "name", "label_zh": "服务名称", "label_en": "Service", "kind": "text", "required": True},
                         {"key": "category", "label_zh": "类别", "label_en": "Category", "kind": "single_choice",
                          "required": True, "validators": {"choices": _choices(*CATEGORY_CHOICES)}},
                         {"key": "paid", "label_zh": "有偿/无偿", "label_en": "Paid or free", "kind": "single_choice",
                          "required": True, "validators": {"choices": _choices(("paid", "有偿", "Paid"),
                                                                               ("free", "无偿", "Free"))}},
                         {"key": "price", "label_zh": "价格", "label_en": "Price", "kind": "money"},
                         {"key": "target", "label_zh": "服务对象", "label_en": "Target group", "kind": "single_choice",
                          "validators": {"choices": _choices(
                              ("old", "老年人", "The old"), ("young", "少年儿童", "The young"),
                              ("youth", "青年", "Young adults"), ("all", "全体居民", "All residents"))}},
                         {"key": "expected_revenue", "label_zh": "预计年收入", "label_en": "Expected yearly revenue",
                          "kind": "money"},
                     ]}]},
    ]},
]}

# 和平's 17 partners: (login or "", kind, name, consent, [(service, category, paid, target), ...]).
# 88 service items in 11 categories.
HEPING = [
    ("partner_ruiteng", "organisation", "鹤山市瑞腾特种作业安全技术培训有限公司", False, [
        ("叉车司机培训", "skills", True, "youth"), ("电工作业培训", "skills", True, "youth"),
        ("焊工作业培训", "skills", True, "youth"), ("高处作业培训", "skills", True, "youth"),
        ("安全生产知识讲座", "education", False, "all"), ("消防安全演练", "education", False, "all"),
        ("求职技能辅导", "employment", False, "youth"), ("持证上岗推荐", "employment", False, "youth")]),
    ("", "organisation", "宝芝林医院", False, [
        ("长者义诊", "health", False, "old"), ("慢病随访", "health", True, "old"), ("中医理疗", "health", True, "all"),
        ("居家康养指导", "elderly", True, "old"), ("健康讲座", "health", False, "all"), ("儿童体检", "health", True, "young")]),
    ("", "organisation", "强哥说媒", False, [
        ("婚姻介绍", "family", True, "youth"), ("青年交友活动", "family", True, "youth"),
        ("婚恋心理辅导", "family", False, "youth"), ("家庭关系调解", "family", False, "all")]),
    ("", "organisation", "优阅托管", False, [
        ("暑期作业托管", "childcare", True, "young"), ("课后托管", "childcare", True, "young"),
        ("阅读兴趣班", "education", True, "young"), ("亲子阅读会", "culture", False, "young"),
        ("寒假托管", "childcare", True, "young"), ("周末绘本馆", "culture", False, "young")]),
    ("partner_yinjie", "individual", "银姐", True, [("每月义剪", "home", False, "old")]),
    ("", "organisation", "鹤山市和平二胡艺术团", False, [
        ("二胡小班教学", "culture", True, "all"), ("银发合唱团培育", "culture", False, "old"),
        ("民乐欣赏会", "culture", False, "all"), ("少儿民乐启蒙", "education", True, "young"),
        ("社区晚会排练", "culture", False, "all")]),
    ("", "organisation", "墨韵书法工作室", False, [
        ("硬笔书法培训", "education", True, "young"), ("毛笔书法班", "education", True, "all"),
        ("春联义写", "culture", False, "all"), ("长者书法班", "culture", True, "old"), ("书法展览", "culture", False, "all")]),
    ("", "organisation", "茶语文创工作室", False, [
        ("茶饮文创", "culture", True, "youth"), ("茶艺体验课", "culture", True, "all"),
        ("文创手作坊", "culture", True, "youth"), ("非遗茶俗讲座", "education", False, "all"),
        ("亲子茶艺", "culture", True, "young")]),
    ("", "organisation", "足尖芭蕾形体工作室", False, [
        ("芭蕾形体私教课", "culture", True, "young"), ("成人形体课", "culture", True, "youth"),
        ("少儿舞蹈启蒙", "culture", True, "young"), ("长者健身操", "culture", False, "old"),
        ("汇报演出", "culture", False, "all")]),
    ("", "organisation", "邻里厨房餐饮服务部", False, [
        ("送餐上门", "food", True, "old"), ("长者助餐", "food", True, "old"), ("节日团餐", "food", True, "all"),
        ("营养膳食讲座", "health", False, "old"), ("厨艺课堂", "education", True, "youth"), ("爱心餐", "food", False, "old")]),
    ("", "organisation", "萌宠之家宠物服务店", False, [
        ("宠物服务", "pets", True, "all"), ("宠物美容", "pets", True, "all"), ("文明养犬宣传", "pets", False, "all"),
        ("宠物寄养", "pets", True, "all"), ("流浪动物救助", "pets", False, "all")]),
    ("", "organisation", "安居家政服务有限公司", False, [
        ("家政保洁", "home", True, "all"), ("家电清洗", "home", True, "all"), ("长者居家照护", "elderly", True, "old"),
        ("家政技能培训", "skills", True, "youth"), ("上门维修", "home", True, "all"), ("适老化改造咨询", "elderly", False, "old")]),
    ("", "organisation", "乐业人力资源服务有限公司", False, [
        ("就业服务", "employment", False, "youth"), ("招聘会", "employment", False, "youth"),
        ("简历指导", "employment", False, "youth"), ("灵活就业对接", "employment", True, "youth"),
        ("职业规划咨询", "employment", True, "youth"), ("创业政策讲解", "employment", False, "youth")]),
    ("", "organisation", "康乐长者服务中心", False, [
        ("日间照料", "elderly", True, "old"), ("长者生日会", "elderly", False, "old"), ("助浴服务", "elderly", True, "old"),
        ("认知症筛查", "health", False, "old"), ("智能手机教学", "education", False, "old"), ("陪诊服务", "elderly", True, "old")]),
    ("", "organisation", "心晴心理咨询工作室", False, [
        ("心理咨询", "health", True, "all"), ("青少年心理辅导", "health", True, "young"),
        ("亲子沟通工作坊", "family", True, "young"), ("长者心理慰藉", "health", False, "old"),
        ("减压团体课", "health", True, "youth")]),
    ("", "organisation", "童趣科创教育中心", False, [
        ("少儿编程", "education", True, "young"), ("机器人课", "education", True, "young"),
        ("科学实验课", "education", True, "young"), ("暑期科创营", "childcare", True, "young"),
        ("科普讲座", "education", False, "young")]),
    ("", "organisation", "和平社区志愿服务队", False, [
        ("社区义工服务", "home", False, "all"), ("便民维修日", "home", False, "all"), ("法律咨询日", "family", False, "all"),
        ("防诈骗宣传", "education", False, "all")]),
]

# The other communities' 12 partners, two services each.
OTHERS = [
    ("fenghuang", "organisation", "七叶树下文祯图书中心", [("七叶树下读书会", "culture", False, "all"),
                                                          ("少儿阅读角", "education", False, "young")]),
    ("fenghuang", "organisation", "凤凰丹青绘画工作室", [("暑期绘画班", "childcare", True, "young"),
                                                       ("长者国画班", "culture", True, "old")]),
    ("fenghuang", "organisation", "静心瑜伽馆", [("瑜伽课", "culture", True, "youth"), ("长者康复瑜伽", "health", True, "old")]),
    ("gubu", "organisation", "谷埠舞蹈艺术团", [("广场舞培训", "culture", True, "old"), ("少儿拉丁舞", "culture", True, "young")]),
    ("gubu", "organisation", "谷埠书画社", [("书画培训", "education", True, "all"), ("书画义卖", "culture", False, "all")]),
    ("yanshan", "organisation", "雁山二胡学堂", [("二胡小班教学", "culture", True, "all"), ("民乐赏析", "culture", False, "old")]),
    ("yanshan", "organisation", "雁山职业培训学校", [("育婴师培训", "skills", True, "youth"), ("就业推荐", "employment", False, "youth")]),
    ("guilin", "organisation", "桂林瑜伽工作室", [("瑜伽课", "culture", True, "youth"), ("孕产瑜伽", "health", True, "youth")]),
    ("guilin", "organisation", "暖心心理服务中心", [("心理咨询", "health", True, "all"), ("家庭教育讲座", "family", False, "young")]),
    ("nanshan", "organisation", "南山童心托管中心", [("课后托管", "childcare", True, "young"), ("暑期托管", "childcare", True, "young")]),
    ("nanshan", "organisation", "南山彩虹画室", [("少儿绘画", "education", True, "young"), ("亲子手工", "culture", True, "young")]),
    ("nanshan", "organisation", "南山便民服务社", [("送餐上门", "food", True, "old"), ("上门理发", "home", True, "old")]),
]

PRICES = {"skills": "1800", "health": "80", "elderly": "60", "childcare": "1200", "culture": "120", "education": "200",
          "family": "300", "home": "50", "food": "15", "pets": "60", "employment": "200", "other": "0"}


def _uscc(seed: int) -> str:
    from forms.checksums import uscc_check_char

    body = f"91440784MA{seed:07d}"[:17]
    return body + uscc_check_char(body)


def _service_rows(rows, revenue_per_paid: Decimal) -> list[dict]:
    return [{"name": n, "category": c, "paid": "paid" if p else "free", "price": PRICES[c] if p else None,
             "target": t, "expected_revenue": str(revenue_per_paid) if p else "0"} for n, c, p, t in rows]


def _ensure_form(context) -> None:
    from forms import services as form_services
    from forms.models import FormDefinition

    if FormDefinition.objects.filter(code="partner-application").exists():
        return
    admin = context["users"]["admin"]
    # A form for every street (owner empty): the street's own draft stays a draft in the designer.
    definition = form_services.definition_create(actor=admin, code="partner-application", name="社区合伙人申请表",
                                                 purpose=services.PURPOSE, schema=APPLICATION_FORM)
    form_services.version_publish(actor=admin, version=definition.versions.get())


def _user(context, username: str, display: str, *, login: bool):
    from workflows.org.models import User

    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
    if created:
        if login:
            user.password = context["password_hash"]
        else:
            user.set_unusable_password()
        user.save()
    context["users"][username] = user
    return user


def _task_of(application, user) -> int:
    return Task.objects.filter(process_id=application.process_id, status=STATUS.NEW, owner=user).values_list(
        "pk", flat=True).get()


def review_through(application, context) -> None:
    """Approve an application through the three reviews (the demo's and the tests' shortcut)."""
    users = context["users"]
    code = application.community.code
    engine.task_act(actor=users[f"{code}_secretary"], task_id=_task_of(application, users[f"{code}_secretary"]),
                    action="approve", comment="材料齐全，同意")
    for member in (f"{code}_committee1", f"{code}_committee2"):
        engine.task_act(actor=users[member], task_id=_task_of(application, users[member]), action="approve",
                        comment="同意")
    engine.task_act(actor=users["shaping_reviewer"], task_id=_task_of(application, users["shaping_reviewer"]),
                    action="approve", comment="同意公示")


def organisation_data(name: str, seed: int, services_rows: list[dict]) -> dict:
    return {"applicant_type": "organisation", "org_name": name, "uscc": _uscc(seed), "mobile": "13800138000",
            "services": services_rows}


def load_partner_demo(context: dict) -> None:
    if Partner.objects.exists():
        return
    _ensure_form(context)
    users, communities = context["users"], context["communities"]
    today = timezone.now().astimezone(LOCAL_TZ).date()
    street_call = services.call_create(
        actor=users["shaping_reviewer"], title="沙坪街道社区合伙人公开招募公告",
        body="面向社会公开招募社区合伙人，提供有偿、无偿相结合的一老一少一青服务。", communities=list(communities.values()),
        opens_on=dt.date(2026, 4, 20), closes_on=dt.date(2026, 5, 31), notice_working_days=5)
    services.call_close(actor=users["shaping_reviewer"], call=street_call)

    heping_paid = sum(1 for *_r, rows in HEPING for row in rows if row[2])
    other_paid = sum(1 for *_r, rows in OTHERS for row in rows if row[2])
    per_paid = (EXPECTED_REVENUE / (heping_paid + other_paid)).quantize(Decimal("0.01"))
    starts, ends = dt.date(2026, 6, 1), dt.date(2029, 5, 31)
    seed = 1
    rows_by_partner = []
    for login, kind, name, consent, rows in HEPING:
        rows_by_partner.append(("heping", login, kind, name, consent, _service_rows(rows, per_paid)))
    for code, kind, name, rows in OTHERS:
        rows_by_partner.append((code, "", kind, name, False, _service_rows(rows, per_paid)))
    # The rounding remainder goes to the first paid service, so the total is the seed's figure.
    total = sum(Decimal(r["expected_revenue"]) for *_x, rows in rows_by_partner for r in rows)
    first = next(r for *_x, rows in rows_by_partner for r in rows if r["paid"] == "paid")
    first["expected_revenue"] = str(Decimal(first["expected_revenue"]) + EXPECTED_REVENUE - total)
    for code, login, kind, name, consent, rows in rows_by_partner:
        username = login or f"partner_{code}_{seed:02d}"
        user = _user(context, username, name, login=bool(login))
        services.partner_enrol_existing(
            actor=users[f"{code}_secretary"], community=communities[code], user=user, kind=kind, name=name,
            services=rows, starts_on=starts, ends_on=ends, consent_full_name=consent)
        seed += 1

    # 和平's own call, open now (the new applicants of the walkthrough apply to it).
    services.call_create(
        actor=users["heping_secretary"], title="和平社区2026年下半年社区合伙人招募",
        body="和平社区面向辖区居民和社会组织招募合伙人，重点招募长者服务、托管托育和就业服务项目。",
        communities=[communities["heping"]], opens_on=today - dt.timedelta(days=7),
        closes_on=today + dt.timedelta(days=60), notice_working_days=5, categories=["elderly", "childcare"])
    # The live process runs in 雁山 (its secretary holds the open tasks): one application in 公示
    # with an open objection, one under review.
    call = services.call_create(
        actor=users["yanshan_secretary"], title="雁山社区长者服务合伙人招募",
        body="雁山社区招募居家护理、托育等服务的合伙人。", communities=[communities["yanshan"]],
        opens_on=today - dt.timedelta(days=14), closes_on=today + dt.timedelta(days=45), notice_working_days=5,
        categories=["elderly", "childcare"])
    noticed_user = _user(context, "applicant_kangning", "康宁护理站", login=True)
    noticed = services.application_create(actor=noticed_user, call=call, data=organisation_data(
        "鹤山市康宁护理服务站", 900, _service_rows([("居家护理", "elderly", True, "old"),
                                                    ("康复训练", "health", True, "old")], Decimal("3000"))))
    review_through(noticed, context)
    objector = _user(context, "resident_huang", "黄阿姨", login=True)
    from workflows.org.services import membership_grant

    membership_grant(actor=users["admin"], user=objector, role="resident", org_unit=communities["yanshan"])
    services.objection_file(actor=objector, application_id=noticed.pk,
                            reason="该护理站去年曾因服务纠纷被投诉，建议核实其资质后再签约。")
    reviewing_user = _user(context, "applicant_xiaoshu", "小树托育", login=True)
    services.application_create(actor=reviewing_user, call=call, data=organisation_data(
        "鹤山市小树托育服务中心", 901, _service_rows([("婴幼儿托育", "childcare", True, "young")], Decimal("5000"))))
