from rest_framework.routers import SimpleRouter

from workflows.approvals import api

router = SimpleRouter()
router.register("tasks", api.TaskViewSet, basename="task")

urlpatterns = router.urls
