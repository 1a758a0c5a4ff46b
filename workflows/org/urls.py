from django.contrib.auth import views as auth_views
from django.urls import path

from workflows.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("rooms/", views.room_list, name="room-list"),
    path("rooms/<int:pk>/", views.room_detail, name="room-detail"),
]
