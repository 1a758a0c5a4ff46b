from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from project import views

# Areas add their API routes to api_patterns and their pages to page_patterns; both lists are
# the only place an area is wired in.
api_patterns = [
    path("", include("workflows.org.api_urls")),
    path("", include("workflows.approvals.api_urls")),
    path("", include("workflows.ledger.api_urls")),
    path("", include("workflows.expenses.api_urls")),
    path("", include("workflows.inquiries.api_urls")),
    path("", include("workflows.partners.api_urls")),
    path("", include("workflows.leases.api_urls")),
    path("", include("workflows.supervision.api_urls")),
    path("", include("forms.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("spreadsheets.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    # Swagger UI sets inline styles as it renders; only this page allows them (styles, not scripts).
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

page_patterns = [
    path("", include("workflows.org.urls")),
    path("", include("workflows.approvals.urls")),
    path("ledger/", include("workflows.ledger.urls")),
    path("", include("workflows.supervision.urls")),
    path("public/", include("workflows.ledger.public_urls")),
    path("inquiries/", include("workflows.inquiries.urls")),
    path("expenses/", include("workflows.expenses.urls")),
    path("", include("workflows.partners.urls")),
    path("", include("workflows.leases.urls")),
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
