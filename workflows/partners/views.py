"""Pages of the partner area. Thin: parse, call a selector or service, render.

Public pages (/public/<code>/partners/, /public/<code>/notices/...) need no login and no
JavaScript and show no personal data; the signed-in pages are scoped by the selectors."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import services as engine
from workflows.approvals.errors import RateLimited, StaleState
from workflows.partners import permissions, selectors, services
from workflows.partners.categories import ServiceCategory, TargetGroup
from workflows.partners.states import ApplicationState
from workflows.partners.steps import OBJECTION

PREFIX = "data"


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


# --- sign-up ---------------------------------------------------------------------------------


class SignupForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=50,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    display_name = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    mobile = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    password = forms.CharField(label=gettext_lazy("Password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


def _signup_allowed(request) -> bool:
    from workflows.partners.api import SignupThrottle

    return SignupThrottle().allow_request(request, None)


def signup(request):
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not _signup_allowed(request):
            form.add_error(None, _("Too many sign-ups from this address; try again later."))
            status = 429
        else:
            try:
                user = services.user_signup(**form.cleaned_data)
            except ValidationError as exc:
                for field, errors in _errors_of(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready."))
                return HttpResponseRedirect(_next_url(request, reverse("partner-application-list")))
    return render(request, "partners/signup.html", {"form": form, "next": _next_url(request, "")}, status=status)


# --- calls -----------------------------------------------------------------------------------


def _publishable_communities(user):
    from workflows.org.models import Community

    return [c for c in Community.objects.order_by("id") if permissions.can_publish_call(user, [c])]


class CallForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=pgettext_lazy("call", "Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    communities = forms.MultipleChoiceField(label=gettext_lazy("Communities"), widget=forms.CheckboxSelectMultiple)
    categories = forms.MultipleChoiceField(label=gettext_lazy("Service categories sought"), required=False,
                                           choices=ServiceCategory.choices, widget=forms.CheckboxSelectMultiple)
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))
    notice_working_days = forms.IntegerField(label=gettext_lazy("Public notice (working days)"), min_value=1,
                                             max_value=30, initial=5)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = [(c.code, c.name) for c in communities]
        if len(communities) == 1:
            self.fields["communities"].initial = [communities[0].code]


@login_required
def call_new(request):
    communities = _publishable_communities(request.user)
    if not communities:
        raise Http404
    form = CallForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["communities"] = [c for c in communities if c.code in data["communities"]]
        try:
            services.call_create(actor=request.user, **data)
        except ValidationError as exc:
            for field, errors in _errors_of(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The call is published."))
            return redirect("partner-application-list")
    return render(request, "partners/call_form.html", {"form": form})


@login_required
@require_POST
def call_close(request, pk: int):
    call = selectors.public_calls().filter(pk=pk).first()
    if call is None:
        raise Http404
    try:
        services.call_close(actor=request.user, call=call)
    except StaleState as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The call is closed."))
    return redirect("partner-application-list")


# --- applications ------------------------------------------------------------------------------


@login_required
def application_list(request):
    applications = selectors.applications_for_user(user=request.user).order_by("-created_at", "-id")[:200]
    calls = [c for c in selectors.public_calls()[:50] if services.call_is_open(c)]
    for call in calls:
        call.closable = permissions.can_publish_call(request.user, list(call.communities.all()))
    return render(request, "partners/application_list.html", {
        "applications": applications, "calls": calls,
        "can_publish": bool(_publishable_communities(request.user)),
    })


def _built_form(version, *, data=None, files=None, user=None):
    from forms import builder

    return builder.form_class_for(version)(data=data, files=files, user=user, prefix=PREFIX)


def _prefixed(version, data: dict) -> MultiValueDict:
    from forms import builder

    flat = builder.flatten(builder.schema_of(version), data)
    return MultiValueDict({f"{PREFIX}-{key}": values for key, values in flat.lists()})


@login_required
def application_new(request, pk: int):
    call = selectors.public_calls().filter(pk=pk).first()
    if call is None or not services.call_is_open(call):
        raise Http404
    version = services.application_form(call)
    if version is None:
        raise Http404
    communities = list(call.communities.all())
    if request.method == "POST":
        form = _built_form(version, data=request.POST, files=request.FILES, user=request.user)
        community = next((c for c in communities if c.code == request.POST.get("community")), None)
        if community is None and len(communities) == 1:
            community = communities[0]
        try:
            application = services.application_create(actor=request.user, call=call, community=community,
                                                       data=request.POST, files=request.FILES, prefix=PREFIX)
        except StaleState as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            form.is_valid()
            for key, errors in _errors_of(exc).items():
                name = key.removeprefix("data.")
                if name in form.fields:
                    if name not in form.errors:
                        form.add_error(name, errors)
                else:
                    messages.error(request, " ".join(errors))
        else:
            messages.success(request, _("Your application was submitted."))
            return redirect("partner-application-detail", pk=application.pk)
    else:
        form = _built_form(version, data=None, user=request.user)
        form.initial = {"services": [{}]}
    from forms import builder

    return render(request, "partners/application_form.html", {
        "call": call, "communities": communities, "form": form, "version": version,
        "logic": builder.client_logic(builder.schema_of(version), prefix=PREFIX),
    })


def _my_tasks(application, user) -> list[dict]:
    from workflows.partners.process import PARTNER

    if application.process_id is None:
        return []
    tasks = Task.objects.filter(process_id=application.process_id, status=STATUS.NEW, owner=user).order_by("id")
    rows = []
    for task in tasks:
        step = task.data.get("step", "")
        row = {"task": task, "step": step, "step_label": PARTNER.step_label(step),
               "actions": [a for a in PARTNER.step_actions(step) if a != "transfer"]}
        if step == OBJECTION:
            row["objection"] = application.objections.filter(pk=task.data.get("objection_id")).first()
        rows.append(row)
    return rows


def _render_detail(request, application, *, resubmit_form=None, status=200):
    from forms import builder

    display = builder.display(builder.schema_of(application.form_version), application.data,
                              get_language() or "zh-hans") if application.form_version_id else []
    notice = getattr(application, "notice", None) if hasattr(application, "notice") else None
    if resubmit_form is None and application.state == ApplicationState.RETURNED and \
            application.submitter_id == request.user.pk:
        resubmit_form = _built_form(application.form_version, data=_prefixed(application.form_version,
                                                                             application.data), user=request.user)
    return render(request, "partners/application_detail.html", {
        "application": application, "display": display, "notice": notice,
        "days_left": selectors.notice_days_left(notice) if notice else None,
        "objections": application.objections.all(), "history": selectors.application_history(application),
        "tasks": _my_tasks(application, request.user), "resubmit_form": resubmit_form,
        "is_applicant": application.submitter_id == request.user.pk,
        "offered": list(enumerate(application.services)),
        "today": dt.date.today(),
    }, status=status)


@login_required
def application_detail(request, pk: int):
    return _render_detail(request, selectors.application_get_for_user(user=request.user, pk=pk))


def _agreement(request, task_id):
    try:
        starts_on = dt.date.fromisoformat(request.POST.get("starts_on", ""))
        ends_on = dt.date.fromisoformat(request.POST.get("ends_on", ""))
    except ValueError:
        raise ValidationError({"starts_on": _("Enter the term's start and end dates.")}) from None
    raw = request.POST.getlist("services")
    chosen = [int(v) for v in raw if v.isascii() and v.isdigit() and len(v) < 5]
    if not chosen or len(chosen) != len(raw):
        raise ValidationError({"services": _("Choose the services the agreement covers.")})
    engine.task_act(actor=request.user, task_id=task_id, action="agreement", starts_on=starts_on, ends_on=ends_on,
                    services=chosen, scan=request.FILES.get("scan"), comment=request.POST.get("comment", ""))


@login_required
@require_POST
def application_act(request, pk: int):
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    task_id = request.POST.get("task")
    try:
        if action == "agreement":
            _agreement(request, task_id)
        elif engine.is_task_action(action):
            engine.task_act_from_form(actor=request.user, task_id=task_id, action=action, data=request.POST)
        elif action == "withdraw":
            services.application_withdraw(actor=request.user, application=application,
                                          comment=request.POST.get("comment", ""))
        elif action == "resubmit":
            try:
                services.application_resubmit(actor=request.user, application=application, data=request.POST,
                                              files=request.FILES, prefix=PREFIX,
                                              comment=request.POST.get("comment", ""))
            except ValidationError as exc:
                form = _built_form(application.form_version, data=request.POST, files=request.FILES,
                                   user=request.user)
                form.is_valid()
                for key, errors in _errors_of(exc).items():
                    name = key.removeprefix("data.")
                    if name in form.fields and name not in form.errors:
                        form.add_error(name, errors)
                return _render_detail(request, application, resubmit_form=form, status=400)
        else:
            raise Http404
    except (StaleState, RateLimited) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in _errors_of(exc).values() for m in msgs))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Done."))
    return redirect("partner-application-detail", pk=application.pk)


# --- partners ----------------------------------------------------------------------------------


@login_required
def partner_detail(request, pk: int):
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        change = {"suspend": services.partner_suspend, "resume": services.partner_resume,
                  "exit": services.partner_exit}.get(action)
        if change is None:
            raise Http404
        try:
            change(actor=request.user, partner_id=partner.pk, reason=request.POST.get("reason", ""))
        except StaleState as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(m for msgs in _errors_of(exc).values() for m in msgs))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Done."))
        return redirect("partner-detail", pk=partner.pk)
    return render(request, "partners/partner_detail.html", {
        "partner": partner, "services": partner.services.all(), "history": selectors.partner_history(partner),
        "can_manage": permissions.can_manage_partner(request.user, partner),
        "can_exit": permissions.can_exit_partner(request.user, partner),
    })


# --- public ------------------------------------------------------------------------------------


def public_catalogue(request, code: str):
    community = selectors.community_by_code(code)
    target = request.GET.get("target", "")
    paid = request.GET.get("paid", "")
    category = request.GET.get("category", "")
    # An unknown filter value shows everything rather than an error page: the links are printed.
    target = target if target in TargetGroup.values else ""
    paid = paid if paid in ("paid", "free") else ""
    category = category if category in ServiceCategory.values else ""
    rows = list(selectors.catalogue(community=community, target=target, paid=paid, category=category)[:500])
    calls = [c for c in selectors.public_calls(community=community)[:20] if services.call_is_open(c)]
    return render(request, "partners/public_catalogue.html", {
        "community": community, "services": rows, "targets": TargetGroup.choices,
        "categories": ServiceCategory.choices, "selected": {"target": target, "paid": paid, "category": category},
        "calls": calls,
    })


def public_notices(request, code: str):
    community = selectors.community_by_code(code)
    notices = list(selectors.public_notices(community=community)[:100])
    for notice in notices:
        notice.left = selectors.notice_days_left(notice)
    return render(request, "partners/public_notices.html", {
        "community": community, "current": [n for n in notices if not n.outcome],
        "past": [n for n in notices if n.outcome],
    })


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}))
    attachment = forms.FileField(label=gettext_lazy("Attachment (PDF or image, optional)"), required=False)


def public_notice(request, code: str, pk: int):
    community = selectors.community_by_code(code)
    notice = selectors.public_notice(community=community, application_id=pk)
    form = ObjectionForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        form = ObjectionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.objection_file(actor=request.user, application_id=notice.application_id,
                                        reason=form.cleaned_data["reason"],
                                        attachment=form.cleaned_data.get("attachment"))
            except StaleState as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                for field, errors in _errors_of(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, _("Your objection was filed; the community will reply to you."))
                return redirect("partner-public-notice", code=code, pk=pk)
        else:
            status = 400
        notice = selectors.public_notice(community=community, application_id=pk)
    return render(request, "partners/public_notice.html", {
        "community": community, "notice": notice, "application": notice.application,
        "days_left": selectors.notice_days_left(notice), "objections": selectors.public_objections(notice),
        "form": form,
    }, status=status)


def public_poster(request, code: str, pk: int):
    import segno

    community = selectors.community_by_code(code)
    notice = selectors.public_notice(community=community, application_id=pk)
    url = request.build_absolute_uri(reverse("partner-public-notice", args=[code, pk]))
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)
    return render(request, "partners/public_poster.html", {
        "community": community, "notice": notice, "application": notice.application, "url": url, "qr": qr,
        "days_left": selectors.notice_days_left(notice),
    })
