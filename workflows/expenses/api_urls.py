from rest_framework.routers import SimpleRouter

from workflows.expenses import api

router = SimpleRouter()
router.register("expenses", api.ExpenseViewSet, basename="expense")
router.register("expense-policies", api.PolicyViewSet, basename="expense-policy")

urlpatterns = router.urls
