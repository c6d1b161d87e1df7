from config.api.routers import Router
from config.jobs.views import JobViewSet

router = Router()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
