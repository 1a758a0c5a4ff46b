from django.urls import path
from rest_framework.routers import SimpleRouter

from workflows.org import api

router = SimpleRouter()
router.register("org-units", api.OrgUnitViewSet, basename="org-unit")
router.register("rooms", api.RoomViewSet, basename="room")

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    *router.urls,
]
