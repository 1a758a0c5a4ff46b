from django.urls import path
from rest_framework.routers import SimpleRouter

from workflows.leases import api

router = SimpleRouter()
router.register("lease-requests", api.LeaseRequestViewSet, basename="lease-request")
router.register("leases", api.LeaseViewSet, basename="lease")
router.register("revenue-reports", api.RevenueReportViewSet, basename="revenue-report")

urlpatterns = [
    path("rooms/<int:pk>/calendar/", api.RoomCalendarView.as_view(), name="room-calendar-api"),
    path("rooms/<int:pk>/calendar.ics", api.RoomIcsView.as_view(), name="room-calendar-ics"),
    path("charity/", api.CharityView.as_view(), name="charity-api"),
    path("public/charity/", api.PublicCharityView.as_view(), name="public-charity-api"),
    *router.urls,
]
