from config.api.routers import Router
from inventory.views import (
    LotViewSet,
    ReservationViewSet,
    StockLevelViewSet,
    StockMoveViewSet,
    WarehouseViewSet,
)

router = Router()
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("lots", LotViewSet, basename="lot")
router.register("stock", StockLevelViewSet, basename="stock")
router.register("moves", StockMoveViewSet, basename="stockmove")
router.register("reservations", ReservationViewSet, basename="reservation")

urlpatterns = router.urls
