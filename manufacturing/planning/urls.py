from config.api.routers import Router
from manufacturing.planning.views import (
    DemandViewSet,
    PlanExceptionViewSet,
    PlannedOrderViewSet,
    PlanningItemViewSet,
    PlanningRunViewSet,
)

router = Router()
router.register("demands", DemandViewSet, basename="demand")
router.register("items", PlanningItemViewSet, basename="planning-item")
router.register("runs", PlanningRunViewSet, basename="planning-run")
router.register("planned-orders", PlannedOrderViewSet, basename="planned-order")
router.register("exceptions", PlanExceptionViewSet, basename="plan-exception")

urlpatterns = router.urls
