from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    # django.forms claims the label "forms"; ours is "lowcode".
    name = "forms"
    label = "lowcode"
    verbose_name = _("Low-code forms")
