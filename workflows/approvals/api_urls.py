from rest_framework.routers import SimpleRouter

from workflows.approvals import api

router = SimpleRouter()
router.register("tasks", api.TaskViewSet, basename="task")
router.register("delegations", api.DelegationViewSet, basename="delegation")

urlpatterns = router.urls
