from django.urls import path

from workflows.ledger import views

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("income/", views.income_create, name="ledger-income"),
    path("disclosures/", views.disclosures, name="ledger-disclosures"),
    path("disclosures/publish/", views.disclosure_publish, name="ledger-disclosure-publish"),
    path("<int:pk>/", views.line_detail, name="ledger-line"),
    path("<int:pk>/reverse/", views.line_reverse, name="ledger-line-reverse"),
    path("<int:pk>/scan/", views.line_scan, name="ledger-line-scan"),
]
