from django.urls import path

from spreadsheets import views

urlpatterns = [
    path("", views.index, name="spreadsheets-index"),
    path("export/<slug:kind>/", views.export, name="spreadsheets-export"),
    path("import/<slug:kind>/", views.upload, name="spreadsheets-upload"),
]
