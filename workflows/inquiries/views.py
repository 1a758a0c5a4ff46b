"""Inquiry pages: 我的质询, asking (from any public line or disclosure), the inquiry with its
timeline, due date and holder, and the forms of whoever may act on it now. No JavaScript."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from project.http import file_response
from project.params import parse_id
from workflows.approvals import services as engine
from workflows.approvals.deadlines import describe
from workflows.approvals.errors import RateLimited, StaleState
from workflows.inquiries import permissions, selectors, services
from workflows.inquiries.models import QUESTION_MAX, InquiryState, Outcome
from workflows.inquiries.process import ANSWER_RULE, MAX_EXTENSION_WORKING_DAYS, STREET_RULE
from workflows.ledger.models import Disclosure, LedgerLine
from workflows.org.models import Community
from workflows.org.roles import Role
from workflows.org.selectors import memberships_of


class AskForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Your question"), max_length=QUESTION_MAX,
                               widget=forms.Textarea(attrs={"rows": 6, "maxlength": QUESTION_MAX}))
    attachment = forms.FileField(label=gettext_lazy("Photo or PDF (optional)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
    publish_consent = forms.BooleanField(
        label=gettext_lazy("I agree that the question and answer may be published without my name"), required=False)


def _community_of(request) -> Community:
    code = request.GET.get("community") or request.POST.get("community") or ""
    community = Community.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if community is None:
        # Without a community named, a resident asks about her own.
        residents = [m for m in memberships_of(request.user) if m.role == Role.RESIDENT]
        if residents:
            community = Community.objects.filter(pk=residents[0].org_unit_id).first()
    if community is None or not permissions.can_file_inquiry(request.user, community):
        raise Http404
    return community


def _about(request, community):
    line = disclosure = None
    raw_line = parse_id(request.GET.get("ledger_line") or request.POST.get("ledger_line") or "")
    raw_doc = parse_id(request.GET.get("disclosure") or request.POST.get("disclosure") or "")
    if raw_line:
        line = LedgerLine.objects.filter(pk=raw_line, community=community).first()
    elif raw_doc:
        disclosure = Disclosure.objects.filter(pk=raw_doc, community=community).first()
    return line, disclosure


def _list_filters(request) -> dict:
    """?community=<code>&state=open|<state>&overdue=1&timely=on_time|late|pending&year=YYYY, as
    the street dashboard links them; an unknown value is ignored (the whole list shows)."""
    from django.utils import timezone

    found: dict = {}
    code = request.GET.get("community") or ""
    if code and len(code) <= 32:
        community = Community.objects.filter(code=code).first()
        if community is not None:
            found["community"] = community
    state = request.GET.get("state") or ""
    if state == "open" or state in InquiryState.values:
        found["state"] = state
        found["state_label"] = _("open (with the community or the street)") if state == "open" else InquiryState(state).label
    if request.GET.get("overdue") == "1":
        found["overdue"] = True
    if request.GET.get("timely") in (selectors.ON_TIME, selectors.LATE, selectors.PENDING):
        found["timely"] = request.GET["timely"]
        found["timely_label"] = {selectors.ON_TIME: _("answered on time"), selectors.LATE: _("late"),
                                 selectors.PENDING: _("not yet due")}[found["timely"]]
    year = parse_id(request.GET.get("year") or "")
    if year and 2000 <= year <= 2100:
        found["year"] = year
    found["now"] = timezone.now()
    return found


@login_required
def inquiry_list(request):
    filters = _list_filters(request)
    qs = selectors.inquiries_for_user(user=request.user)
    filtered = len(filters) > 1
    if filtered:
        community = filters.get("community")
        qs = selectors.filter_inquiries(qs, now=filters["now"], community_id=community.pk if community else None,
                                        state=filters.get("state"), overdue=filters.get("overdue", False),
                                        timely=filters.get("timely"), year=filters.get("year"))
    rows = list(qs.order_by("-created_at", "-id")[:200])
    mine = [i for i in rows if i.submitter_id == request.user.pk]
    others = [i for i in rows if i.submitter_id != request.user.pk]
    return render(request, "inquiries/list.html", {"mine": mine, "others": others, "filters": filters if filtered else None,
                                                   "can_ask": permissions.is_resident(request.user)})


@login_required
def inquiry_new(request):
    community = _community_of(request)
    line, disclosure = _about(request, community)
    form = AskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.inquiry_file(
                actor=request.user, community=community, question=form.cleaned_data["question"],
                publish_consent=form.cleaned_data["publish_consent"], ledger_line=line, disclosure=disclosure,
                attachment=form.cleaned_data.get("attachment"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your inquiry was filed; the community will acknowledge it."))
            return redirect("inquiry-detail", inquiry.pk)
    return render(request, "inquiries/new.html", {"form": form, "community": community, "line": line,
                                                  "disclosure": disclosure},
                  status=400 if request.method == "POST" else 200)


def _detail_context(request, inquiry, errors=None):
    task = selectors.open_task_for(user=request.user, inquiry=inquiry)
    codes = [a["code"] for a in task["actions"]] if task else []
    step = task["step"] if task else ""
    mine = inquiry.submitter_id == request.user.pk
    rule = ANSWER_RULE if inquiry.round == 1 else STREET_RULE
    return {
        "due_basis": describe(rule),
        "inquiry": inquiry,
        "timeline": selectors.timeline_of(inquiry),
        "holder": selectors.holder_of(inquiry),
        "task": task,
        "can_claim": "claim" in codes,
        "can_acknowledge": step == "acknowledge",
        "can_answer": step in ("answer", "street_review"),
        "can_extend": step == "answer" and not inquiry.extended_days,
        "can_publish": inquiry.publish_consent,
        "outcomes": Outcome.choices,
        "max_extension": MAX_EXTENSION_WORKING_DAYS,
        "is_mine": mine,
        "can_accept": mine and inquiry.state == InquiryState.ANSWERED,
        "can_escalate": mine and inquiry.state == InquiryState.ANSWERED and inquiry.round == 1,
        "can_urge": mine and inquiry.state in (InquiryState.OPEN, InquiryState.ESCALATED),
        "can_publish_later": bool(inquiry.answer and inquiry.publish_consent and not inquiry.published
                                  and permissions.can_publish_answer(request.user, inquiry)),
        "errors": errors or {},
        "values": request.POST if errors else {},
    }


def inquiry_detail(request, pk: int):
    # Anonymous readers get the same 404 as everyone it is not for (the selector finds nothing),
    # not a login redirect that would tell them the inquiry exists.
    inquiry = selectors.inquiry_get_for_user(user=request.user, pk=pk)
    return render(request, "inquiries/detail.html", _detail_context(request, inquiry))


RESIDENT_VERBS = {
    "accept": lambda request, inquiry: services.inquiry_accept(actor=request.user, inquiry=inquiry),
    "escalate": lambda request, inquiry: services.inquiry_escalate(actor=request.user, inquiry=inquiry,
                                                                   reason=request.POST.get("reason", "")),
    "urge": lambda request, inquiry: services.inquiry_urge(actor=request.user, inquiry=inquiry),
    "publish": lambda request, inquiry: services.inquiry_publish(actor=request.user, inquiry=inquiry),
}
TASK_VERBS = ("claim", "acknowledge", "answer", "extend")
FORM_FIELDS = {"comment", "outcome", "answer", "publish", "correction_line", "correction_disclosure", "working_days",
               "reason"}


@require_POST
def inquiry_act(request, pk: int, code: str):
    inquiry = selectors.inquiry_get_for_user(user=request.user, pk=pk)
    try:
        if code in RESIDENT_VERBS:
            RESIDENT_VERBS[code](request, inquiry)
        elif code in TASK_VERBS:
            task = selectors.open_task_for(user=request.user, inquiry=inquiry)
            if task is None:
                raise Http404
            data = request.POST.copy()
            data["publish"] = "true" if request.POST.get("publish") else "false"
            engine.task_act_from_form(actor=request.user, task_id=task["task"].pk, action=code, data=data)
        else:
            raise Http404
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {}
        # Messages about no field of the forms (the task, the state) are shown above them.
        errors["general"] = [m for key, messages_ in errors.items() if key not in FORM_FIELDS for m in messages_]
        if not hasattr(exc, "error_dict"):
            errors["general"] = list(exc.messages)
        inquiry = selectors.inquiry_get_for_user(user=request.user, pk=pk)
        return render(request, "inquiries/detail.html", _detail_context(request, inquiry, errors), status=400)
    except (StaleState, RateLimited) as exc:
        messages.error(request, str(exc))
        return redirect("inquiry-detail", inquiry.pk)
    messages.success(request, _("Done."))
    return redirect("inquiry-detail", inquiry.pk)


def inquiry_attachment(request, pk: int):
    inquiry = selectors.inquiry_get_for_user(user=request.user, pk=pk)
    if not inquiry.attachment:
        raise Http404
    return file_response(request, inquiry.attachment.open("rb"), as_attachment=True)
