from config.api.routers import Router
from manufacturing.order_views import ProductionOrderViewSet, WorkOrderQueueViewSet
from manufacturing.views import BOMViewSet, WorkcenterViewSet

router = Router()
router.register("workcenters", WorkcenterViewSet, basename="workcenter")
router.register("boms", BOMViewSet, basename="bom")
router.register("orders", ProductionOrderViewSet, basename="production-order")
router.register("work-orders", WorkOrderQueueViewSet, basename="work-order")

urlpatterns = router.urls
