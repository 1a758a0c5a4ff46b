from django.urls import path

from workflows.ledger import api, public_api

urlpatterns = [
    path("ledger/", api.LedgerListView.as_view(), name="api-ledger"),
    path("ledger/income/", api.IncomeCreateView.as_view(), name="api-ledger-income"),
    path("ledger/<int:pk>/", api.LedgerLineDetailView.as_view(), name="api-ledger-line"),
    path("ledger/<int:pk>/reverse/", api.LedgerLineReverseView.as_view(), name="api-ledger-reverse"),
    path("disclosures/", public_api.DisclosurePublishView.as_view(), name="api-disclosure-publish"),
    path("public/communities/", public_api.PublicCommunitiesView.as_view(), name="api-public-communities"),
    path("public/disclosures/", public_api.PublicDisclosureListView.as_view(), name="api-public-disclosures"),
    path("public/disclosures/<int:pk>/", public_api.PublicDisclosureDetailView.as_view(), name="api-public-disclosure"),
]
