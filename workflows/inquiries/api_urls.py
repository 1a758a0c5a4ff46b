from rest_framework.routers import SimpleRouter

from workflows.inquiries import api

router = SimpleRouter()
router.register("inquiries", api.InquiryViewSet, basename="api-inquiry")
urlpatterns = router.urls
