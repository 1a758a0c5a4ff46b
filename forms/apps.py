from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    # django.forms claims the label "forms"; ours is "lowcode".
    name = "forms"
    label = "lowcode"
    verbose_name = _("Low-code forms")

    def ready(self):
        from forms import links, permissions
        from project.navigation import NavItem, register

        def may_use_forms(user) -> bool:
            # Only for someone with a form to fill (its audience includes them) or a submission to read.
            from forms import selectors
            from forms.models import FormSubmission

            return user.is_authenticated and (
                selectors.fillable_definitions_for(user).exists()
                or FormSubmission.objects.filter(submitted_by=user).exists()
            )

        register(NavItem("forms", _("Forms"), "lowcode:index", 60, may_use_forms))
        register(NavItem("form-designer", _("Form designer"), "lowcode:designer-index", 90, permissions.can_design_forms))

        def resolve_submission(user, pk):
            from forms.models import FormSubmission

            submission = FormSubmission.objects.select_related("version__definition").filter(pk=pk).first()
            return submission if submission and permissions.can_view_submission(user, submission) else None

        links.register(links.LinkKind("lowcode.submission", _("Form submission"), resolve_submission))
