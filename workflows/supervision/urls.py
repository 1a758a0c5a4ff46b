from django.urls import path

from workflows.supervision import views

urlpatterns = [
    path("street/", views.dashboard, name="street-dashboard"),
    path("street/tasks/", views.task_list, name="street-tasks"),
    path("street/reports/", views.report_list, name="street-reports"),
    path("street/reports/<int:pk>/", views.report_detail, name="street-report"),
    path("public/<slug:code>/", views.public_page, name="public-community"),
]
