from django.urls import path

from workflows.supervision import api

urlpatterns = [
    path("street/dashboard/", api.DashboardView.as_view(), name="api-street-dashboard"),
    path("street/reports/", api.ReportListView.as_view(), name="api-street-reports"),
    path("street/reports/<int:pk>/", api.ReportDetailView.as_view(), name="api-street-report"),
    path("street/reports/<int:pk>.xlsx", api.ReportWorkbookView.as_view(), name="api-street-report-xlsx"),
    path("public/summary/", api.PublicSummaryView.as_view(), name="api-public-summary"),
]
