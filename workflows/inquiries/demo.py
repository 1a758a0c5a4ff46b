"""Demo data of the public books and inquiries, made through the services so the history is real.

- every community publishes each month of its books that has ended, in order (a valid chain);
- 和平 (resident_li): one inquiry answered, published and accepted; one answered and waiting for
  her reply;
- 凤凰 (resident_chen): one the community let run past its deadline, escalated by the timer to
  the street (逾期自动上报); one acknowledged, extended and waiting for the secretary's answer.

The overdue one is driven by the engine's own deadline sweep, run with the clock set past each
deadline (the acknowledgement's, then the answer's), so its rows are the timer's; they carry the
time the demo was loaded. Idempotent: nothing is added for a resident who has inquiries.
"""

import datetime as dt


def load_disclosure_demo(context: dict) -> None:
    from django.utils import timezone

    from workflows.ledger.models import Disclosure, LedgerLine
    from workflows.ledger.services import disclosure_publish

    this_month = timezone.localdate().replace(day=1)
    for code, community in context["communities"].items():
        secretary = context["users"][f"{code}_secretary"]
        months = sorted({d.replace(day=1) for d in LedgerLine.objects.filter(
            community=community, date__lt=this_month).values_list("date", flat=True)})
        published = set(Disclosure.objects.filter(community=community).values_list("period", flat=True))
        for month in months:
            if month not in published:
                disclosure_publish(actor=secretary, community=community, period=f"{month:%Y-%m}")


def load_inquiry_demo(context: dict) -> None:
    from viewflow.workflow.models import Task

    from workflows.approvals.models import RouteTask
    from workflows.approvals.services import deadlines_sweep, task_act
    from workflows.inquiries.models import Inquiry
    from workflows.inquiries.process import KIND as INQUIRY_KIND
    from workflows.inquiries.services import inquiry_accept, inquiry_file
    from workflows.ledger.models import Disclosure, LedgerLine

    users, communities = context["users"], context["communities"]
    li, chen = users["resident_li"], users["resident_chen"]
    heping, fenghuang = communities["heping"], communities["fenghuang"]

    def task_of(inquiry, step):
        return Task.objects.filter(process_id=Inquiry.objects.get(pk=inquiry.pk).process_id, status="NEW",
                                   data__step=step).first()

    def act(inquiry, step, who, action, **fields):
        task_act(actor=users[who], task_id=task_of(inquiry, step).pk, action=action, **fields)

    # 凤凰 first: its overdue inquiry runs the timer with a later clock, which would also close
    # an answered inquiry by silence.
    if not Inquiry.objects.filter(submitter=chen).exists():
        overdue = inquiry_file(actor=chen, community=fenghuang, publish_consent=True,
                               question="长者饭堂的助餐补贴每月发多少？有没有公开名单？")
        # The timer, run past the acknowledgement's and then the answer's deadline.
        for step in ("acknowledge", "answer"):
            due = RouteTask.objects.get(task_id=task_of(overdue, step).pk).due_at
            deadlines_sweep(now=due + dt.timedelta(minutes=1), kinds=(INQUIRY_KIND,))
        extended = inquiry_file(actor=chen, community=fenghuang, publish_consent=True,
                                question="瑜伽室延时时段的租金标准是怎么定的？")
        act(extended, "acknowledge", "fenghuang_staff", "acknowledge", comment="已受理")
        act(extended, "answer", "fenghuang_secretary", "extend", working_days=10,
            reason="需向街道调取租赁评估报告")

    if not Inquiry.objects.filter(submitter=li).exists():
        line = LedgerLine.objects.filter(community=heping, line="income", source="donation").first()
        published = inquiry_file(
            actor=li, community=heping, ledger_line=line, publish_consent=True,
            question="我是李阿姨，电话13800138000。商会捐的一万五千元用在了哪些困难群众身上？")
        act(published, "acknowledge", "heping_staff", "acknowledge", comment="已受理，转书记答复")
        act(published, "answer", "heping_secretary", "answer", outcome="explained", publish=True,
            answer="该笔捐赠用于微心愿认领和困难群众帮扶，名单经两委会审议后在公开栏公示（不含身份证号）。")
        inquiry_accept(actor=li, inquiry=published)
        disclosure = Disclosure.objects.filter(community=heping).order_by("-seq").first()
        waiting = inquiry_file(actor=li, community=heping, disclosure=disclosure, publish_consent=False,
                               question="本月公开里的支出为什么是零？场地维护的钱从哪里出？")
        act(waiting, "acknowledge", "heping_secretary", "acknowledge")
        act(waiting, "answer", "heping_secretary", "answer", outcome="explained",
            answer="本月维护费用由街道统一支付，未进入社区企业账目。")
