"""Demo forms for Shaping Street, loaded by fixtures.loader's DEMO_STEPS (idempotent)."""

from forms import services
from forms.models import FormDefinition, Purpose


def _choices(*pairs):
    return [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in pairs]


PROJECT_TYPES = _choices(
    ("goods", "物资采购", "Goods"),
    ("service", "服务采购", "Services"),
    ("engineering", "工程类", "Engineering works"),
    ("activity", "活动经费", "Activities"),
    ("other", "其他", "Other"),
)
ENGINEERING = {"field": "project_type", "op": "eq", "value": "engineering"}

EXPENSE_EXTRA = {
    "sections": [
        {
            "title_zh": "票据与项目",
            "title_en": "Invoice and project",
            "rows": [
                {"fields": [
                    {"key": "invoice_no", "label_zh": "发票号", "label_en": "Invoice number", "kind": "text", "required": True,
                     "validators": {"pattern": r"[0-9A-Za-z-]{8,20}"}, "help_zh": "8–20 位数字或字母"},
                    {"key": "project_type", "label_zh": "项目类型", "label_en": "Project type", "kind": "single_choice",
                     "required": True, "validators": {"choices": PROJECT_TYPES}},
                ]},
                {"fields": [
                    {"key": "engineering_approval", "label_zh": "工程立项批复文号", "label_en": "Works approval number",
                     "kind": "text", "required": True, "show_if": ENGINEERING},
                    {"key": "works_period", "label_zh": "工期", "label_en": "Works period", "kind": "date_range",
                     "show_if": ENGINEERING},
                ]},
            ],
        },
        {
            "title_zh": "采购明细",
            "title_en": "Items",
            "rows": [
                {"fields": [
                    {"key": "items", "label_zh": "明细", "label_en": "Items", "kind": "table", "max_rows": 50, "columns": [
                        {"key": "name", "label_zh": "名称", "label_en": "Name", "kind": "text", "required": True},
                        {"key": "quantity", "label_zh": "数量", "label_en": "Quantity", "kind": "integer", "required": True,
                         "validators": {"min": "1"}},
                        {"key": "unit_price", "label_zh": "单价", "label_en": "Unit price", "kind": "money", "required": True},
                        {"key": "amount", "label_zh": "金额", "label_en": "Amount", "kind": "computed",
                         "expression": "quantity * unit_price"},
                    ]},
                ]},
                {"fields": [
                    {"key": "items_total", "label_zh": "明细合计", "label_en": "Items total", "kind": "computed",
                     "expression": "sum(items.amount)"},
                ]},
            ],
        },
    ]
}

INCOME_EXTRA = {
    "sections": [
        {
            "title_zh": "收入凭证",
            "title_en": "Income voucher",
            "rows": [
                {"fields": [
                    {"key": "receipt_no", "label_zh": "收据号", "label_en": "Receipt number", "kind": "text", "required": True},
                    {"key": "payer_type", "label_zh": "付款方类型", "label_en": "Payer type", "kind": "single_choice",
                     "required": True, "validators": {"choices": _choices(
                         ("government", "政府部门", "Government"), ("enterprise", "企业", "Enterprise"),
                         ("individual", "个人", "Individual"), ("other", "其他", "Other"))}},
                ]},
                {"fields": [
                    {"key": "purchase_contract", "label_zh": "政府购买服务合同号", "label_en": "Service purchase contract",
                     "kind": "text", "required": True, "show_if": {"field": "payer_type", "op": "eq", "value": "government"}},
                    {"key": "voucher", "label_zh": "凭证附件", "label_en": "Voucher", "kind": "attachment",
                     "validators": {"max_size_kb": 5120, "extensions": ["pdf", "jpg", "jpeg", "png"]}},
                ]},
            ],
        }
    ]
}

ORGANISATION = {"field": "applicant_type", "op": "eq", "value": "organisation"}
INDIVIDUAL = {"field": "applicant_type", "op": "eq", "value": "individual"}
PARTNER_APPLICATION = {
    "sections": [
        {
            "title_zh": "申请人",
            "title_en": "Applicant",
            "rows": [
                {"fields": [
                    {"key": "applicant_type", "label_zh": "申请人类型", "label_en": "Applicant type", "kind": "single_choice",
                     "required": True, "validators": {"choices": _choices(
                         ("organisation", "组织", "Organisation"), ("individual", "个人（居民）", "Individual (resident)"))}},
                ]},
                {"fields": [
                    {"key": "org_name", "label_zh": "组织名称", "label_en": "Organisation name", "kind": "text",
                     "required": True, "show_if": ORGANISATION},
                    {"key": "uscc", "label_zh": "统一社会信用代码", "label_en": "Unified social credit code", "kind": "uscc",
                     "required": True, "show_if": ORGANISATION},
                ]},
                {"fields": [
                    {"key": "person_name", "label_zh": "姓名", "label_en": "Name", "kind": "text", "required": True,
                     "show_if": INDIVIDUAL},
                    {"key": "id_card", "label_zh": "身份证号", "label_en": "ID number", "kind": "id_card", "required": True,
                     "show_if": INDIVIDUAL},
                ]},
                {"fields": [
                    {"key": "mobile", "label_zh": "联系电话", "label_en": "Mobile phone", "kind": "mobile", "required": True},
                    {"key": "email", "label_zh": "电子邮箱", "label_en": "E-mail", "kind": "email"},
                ]},
            ],
        },
        {
            "title_zh": "拟提供的服务",
            "title_en": "Proposed services",
            "rows": [
                {"fields": [
                    {"key": "services", "label_zh": "服务项目", "label_en": "Services", "kind": "table", "min_rows": 1,
                     "max_rows": 30, "columns": [
                        {"key": "name", "label_zh": "服务名称", "label_en": "Service", "kind": "text", "required": True},
                        {"key": "category", "label_zh": "类别", "label_en": "Category", "kind": "single_choice",
                         "required": True, "validators": {"choices": _choices(
                             ("education", "教育培训", "Education"), ("health", "医疗健康", "Health"),
                             ("elderly", "养老服务", "Elderly care"), ("childcare", "托管托育", "Childcare"),
                             ("culture", "文体活动", "Culture and sport"), ("skills", "职业技能", "Vocational skills"),
                             ("family", "婚恋家庭", "Family"), ("other", "其他", "Other"))}},
                        {"key": "paid", "label_zh": "有偿/无偿", "label_en": "Paid or free", "kind": "single_choice",
                         "required": True, "validators": {"choices": _choices(("paid", "有偿", "Paid"), ("free", "无偿", "Free"))}},
                        {"key": "price", "label_zh": "价格", "label_en": "Price", "kind": "money"},
                        {"key": "target", "label_zh": "服务对象", "label_en": "Target group", "kind": "single_choice",
                         "validators": {"choices": _choices(
                             ("old", "老年人", "The old"), ("young", "少年儿童", "The young"),
                             ("youth", "青年", "Young adults"), ("all", "全体居民", "All residents"))}},
                    ]},
                ]},
            ],
        },
    ]
}

DEMO_FORMS = [
    # code, name, purpose, schema, publish
    ("shaping-expense-extra", "支出申请补充信息", Purpose.EXPENSE_EXTRA, EXPENSE_EXTRA, True),
    ("shaping-income-extra", "收入登记补充信息", Purpose.INCOME_EXTRA, INCOME_EXTRA, True),
    ("shaping-partner-application", "社区合伙人申请表", Purpose.PARTNER_APPLICATION, PARTNER_APPLICATION, False),
]


def load_demo_forms(context: dict) -> None:
    admin = context["users"]["admin"]
    for code, name, purpose, schema, publish in DEMO_FORMS:
        if FormDefinition.objects.filter(code=code).exists():
            continue
        definition = services.definition_create(
            actor=admin, code=code, name=name, purpose=purpose, owner=context["street"], schema=schema
        )
        if publish:
            services.version_publish(actor=admin, version=definition.versions.get())
