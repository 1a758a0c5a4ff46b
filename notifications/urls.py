from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.inbox, name="notification-inbox"),
    path("<int:pk>/read/", views.mark_read, name="notification-read"),
    path("<int:pk>/open/", views.open_row, name="notification-open"),
    path("read-all/", views.mark_all_read, name="notification-read-all"),
]
