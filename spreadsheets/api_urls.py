from django.urls import path

from spreadsheets import api

urlpatterns = [
    path("exports/<slug:kind>.xlsx", api.ExportView.as_view(), name="spreadsheet-export"),
    path("imports/<slug:kind>/template.xlsx", api.TemplateView.as_view(), name="spreadsheet-template"),
    path("imports/<slug:kind>/", api.ImportView.as_view(), name="spreadsheet-import"),
    path("jobs/<int:pk>/", api.JobView.as_view(), name="spreadsheet-job"),
    path("jobs/<int:pk>/download/", api.JobDownloadView.as_view(), name="spreadsheet-job-download"),
]
