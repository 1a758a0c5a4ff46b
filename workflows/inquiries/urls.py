from django.urls import path

from workflows.inquiries import views

urlpatterns = [
    path("", views.inquiry_list, name="inquiry-list"),
    path("new/", views.inquiry_new, name="inquiry-new"),
    path("<int:pk>/", views.inquiry_detail, name="inquiry-detail"),
    path("<int:pk>/attachment/", views.inquiry_attachment, name="inquiry-attachment"),
    path("<int:pk>/<slug:code>/", views.inquiry_act, name="inquiry-act"),
]
