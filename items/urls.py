from config.api.routers import Router
from items.views import ItemViewSet, UnitOfMeasureViewSet

router = Router()
router.register("uoms", UnitOfMeasureViewSet, basename="uom")
router.register("items", ItemViewSet, basename="item")

urlpatterns = router.urls
