from django.urls import path

from workflows.ledger import public_views

urlpatterns = [
    path("", public_views.index, name="public-index"),
    path("<slug:code>/", public_views.community_page, name="public-community"),
    path("<slug:code>/disclosures/<int:pk>/", public_views.disclosure_page, name="public-disclosure"),
    path("<slug:code>/disclosures/<int:pk>/poster/", public_views.disclosure_poster, name="public-disclosure-poster"),
]
