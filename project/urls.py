from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from project import views

# Areas add their API routes to api_patterns and their pages to page_patterns; both lists are
# the only place an area is wired in.
api_patterns = [
    path("", include("workflows.org.api_urls")),
    path("", include("workflows.approvals.api_urls")),
    path("", include("workflows.ledger.api_urls")),
    path("", include("workflows.expenses.api_urls")),
    path("", include("workflows.partners.api_urls")),
    path("", include("forms.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("spreadsheets.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

page_patterns = [
    path("", include("workflows.org.urls")),
    path("", include("workflows.approvals.urls")),
    path("ledger/", include("workflows.ledger.urls")),
    path("expenses/", include("workflows.expenses.urls")),
    path("", include("workflows.partners.urls")),
    path("forms/", include("forms.urls")),
    path("notifications/", include("notifications.urls")),
    path("spreadsheets/", include("spreadsheets.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    *page_patterns,
]
