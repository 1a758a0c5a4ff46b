from django.urls import path

from workflows.ledger import public_views

urlpatterns = [
    path("", public_views.index, name="public-index"),
    # The community's public face is /public/<code>/ (workflows.supervision); its books live here.
    path("<slug:code>/books/", public_views.community_page, name="public-books"),
    path("<slug:code>/disclosures/<int:pk>/", public_views.disclosure_page, name="public-disclosure"),
    path("<slug:code>/disclosures/<int:pk>/poster/", public_views.disclosure_poster, name="public-disclosure-poster"),
]
