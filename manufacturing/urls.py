from config.api.routers import Router
from manufacturing.boms.job_views import BOMJobViewSet
from manufacturing.boms.views import BOMViewSet, WorkcenterViewSet
from manufacturing.orders.views import (
    BOMImpactViewSet,
    ProductionOrderViewSet,
    WorkOrderQueueViewSet,
)

router = Router()
router.register("workcenters", WorkcenterViewSet, basename="workcenter")
# Before "boms": `boms/imports` and `boms/exports` are not BOM ids.
router.register("boms", BOMJobViewSet, basename="bom-job")
router.register("boms", BOMViewSet, basename="bom")
router.register("boms", BOMImpactViewSet, basename="bom-impact")
router.register("orders", ProductionOrderViewSet, basename="production-order")
router.register("work-orders", WorkOrderQueueViewSet, basename="work-order")

urlpatterns = router.urls
