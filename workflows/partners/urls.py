"""Pages of the partner area: the signed-in pages under /partners/, the public ones under
/public/<community code>/partners/ (the catalogue) and /public/<community code>/notices/."""

from django.urls import path

from workflows.partners import views

urlpatterns = [
    path("partners/signup/", views.signup, name="partner-signup"),
    path("partners/applications/", views.application_list, name="partner-application-list"),
    path("partners/calls/new/", views.call_new, name="partner-call-new"),
    path("partners/calls/<int:pk>/close/", views.call_close, name="partner-call-close"),
    path("partners/calls/<int:pk>/apply/", views.application_new, name="partner-apply"),
    path("partners/applications/<int:pk>/", views.application_detail, name="partner-application-detail"),
    path("partners/applications/<int:pk>/act/", views.application_act, name="partner-application-act"),
    path("partners/<int:pk>/", views.partner_detail, name="partner-detail"),
    path("public/<slug:code>/partners/", views.public_catalogue, name="partner-public-catalogue"),
    path("public/<slug:code>/notices/", views.public_notices, name="partner-public-notices"),
    path("public/<slug:code>/notices/<int:pk>/", views.public_notice, name="partner-public-notice"),
    path("public/<slug:code>/notices/<int:pk>/poster/", views.public_poster, name="partner-public-poster"),
]
