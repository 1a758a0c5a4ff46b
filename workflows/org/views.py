from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project import home as home_sections
from project.params import parse_id
from workflows.org import selectors, services


class LoginForm(forms.Form):
    """Login through the same throttled service as the token API."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autofocus=True, autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = services.user_authenticate(
                    request=self.request,
                    username=username,
                    password=password,
                    client_ip=services.client_ip_of(self.request),
                )
            except services.LoginThrottled as exc:
                raise ValidationError(services.login_throttled_message(exc), code="throttled") from None
            if not self.user_cache.is_active:
                raise ValidationError(_("This account is inactive."), code="inactive")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class AdminLoginForm(LoginForm):
    """The admin site's login through the same throttled service (its own form would call
    authenticate() directly and bypass the limits)."""

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is not None and not user.is_staff:
            raise ValidationError(
                # Django's own admin message, so Django's catalogue translates it.
                _(
                    "Please enter the correct %(username)s and password for a staff account. "
                    "Note that both fields may be case-sensitive."
                ) % {"username": _("username")},
                code="invalid_login",
            )
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "org/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(
        request,
        "org/home.html",
        {
            "roles": selectors.org_units_for_user(request.user),
            "communities": selectors.communities_visible_to(request.user).order_by("id"),
            # What each area wants the user to see first (project/home.py), rendered by its own template.
            "sections": [render_to_string(s["template"], s["context"], request=request)
                         for s in home_sections.sections_for(request.user)],
        },
    )


@login_required
def room_list(request):
    # A malformed filter shows every visible room rather than an error page.
    community = parse_id(request.GET.get("community") or "")
    rooms = selectors.room_list_for_user(user=request.user, community_id=community)
    communities = selectors.communities_visible_to(request.user).order_by("id")
    return render(request, "org/room_list.html", {"rooms": rooms, "communities": communities, "selected": community})


@login_required
def room_detail(request, pk: int):
    room = selectors.room_get_for_user(user=request.user, pk=pk)
    return render(request, "org/room_detail.html", {"room": room})
