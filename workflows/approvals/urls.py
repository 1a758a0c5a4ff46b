from django.urls import path

from workflows.approvals import views

urlpatterns = [
    path("tasks/", views.inbox, name="approvals-inbox"),
    path("tasks/mine/", views.mine, name="approvals-mine"),
    path("tasks/cc/", views.copied, name="approvals-cc"),
    path("tasks/done/", views.done, name="approvals-done"),
    path("tasks/batch/", views.batch_approve, name="approvals-batch"),
    path("tasks/delegations/", views.delegations, name="approvals-delegations"),
    path("tasks/delegations/<int:pk>/end/", views.delegation_end, name="approvals-delegation-end"),
]
