from django.urls import path

from workflows.ledger import views

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("income/", views.income_create, name="ledger-income"),
    path("<int:pk>/", views.line_detail, name="ledger-line"),
    path("<int:pk>/reverse/", views.line_reverse, name="ledger-line-reverse"),
]
