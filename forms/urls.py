from django.urls import path

from forms import views

app_name = "lowcode"

urlpatterns = [
    path("", views.index, name="index"),
    path("fill/<slug:code>/", views.fill, name="fill"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("designer/", views.designer_index, name="designer-index"),
    path("designer/versions/<int:pk>/", views.designer, name="designer"),
    path("designer/definitions/<slug:code>/audience/", views.designer_audience, name="designer-audience"),
    path("designer/compare/", views.compare, name="compare"),
]
