"""Pages of the lease area: signed-in pages under /leases/, the public ones under /public/<code>/."""

from django.urls import path

from workflows.leases import views

urlpatterns = [
    path("leases/", views.lease_list, name="lease-list"),
    path("leases/requests/new/", views.request_new, name="lease-request-new"),
    path("leases/requests/<int:pk>/", views.request_detail, name="lease-request-detail"),
    path("leases/requests/<int:pk>/act/", views.request_act, name="lease-request-act"),
    path("leases/<int:pk>/", views.lease_detail, name="lease-detail"),
    path("leases/<int:pk>/contract/", views.contract_page, name="lease-contract"),
    path("leases/rooms/<int:pk>/week/", views.room_week, name="room-week"),
    path("public/<slug:code>/timetable/", views.public_timetable, name="lease-public-timetable"),
    path("public/<slug:code>/charity/", views.public_charity, name="lease-public-charity"),
]
