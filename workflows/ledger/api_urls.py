from django.urls import path

from workflows.ledger import api

urlpatterns = [
    path("ledger/", api.LedgerListView.as_view(), name="api-ledger"),
    path("ledger/income/", api.IncomeCreateView.as_view(), name="api-ledger-income"),
    path("ledger/<int:pk>/", api.LedgerLineDetailView.as_view(), name="api-ledger-line"),
    path("ledger/<int:pk>/reverse/", api.LedgerLineReverseView.as_view(), name="api-ledger-reverse"),
]
