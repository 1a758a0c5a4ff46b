from django.urls import path

from workflows.approvals import views

urlpatterns = [
    path("tasks/", views.inbox, name="approvals-inbox"),
    path("tasks/mine/", views.mine, name="approvals-mine"),
    path("tasks/cc/", views.copied, name="approvals-cc"),
    path("tasks/done/", views.done, name="approvals-done"),
]
