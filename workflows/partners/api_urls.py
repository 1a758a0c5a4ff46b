from django.urls import path
from rest_framework.routers import SimpleRouter

from workflows.partners import api

router = SimpleRouter()
router.register("partner-calls", api.CallViewSet, basename="partner-call")
router.register("partner-applications", api.ApplicationViewSet, basename="partner-application")
router.register("partners", api.PartnerViewSet, basename="partner")

urlpatterns = [
    path("public/calls/", api.PublicCallsView.as_view(), name="partner-public-calls-api"),
    path("public/notices/", api.PublicNoticesView.as_view(), name="partner-public-notices-api"),
    path("public/catalogue/", api.PublicCatalogueView.as_view(), name="partner-public-catalogue-api"),
    path("auth/signup/", api.SignupView.as_view(), name="auth-signup"),
    *router.urls,
]
