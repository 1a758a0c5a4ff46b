from rest_framework.routers import SimpleRouter

from workflows.expenses import api

router = SimpleRouter()
router.register("expenses", api.ExpenseViewSet, basename="expense")

urlpatterns = router.urls
