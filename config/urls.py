from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from config.api.views import HealthView, api_not_found
from config.docs import RedocView, SwaggerView

admin.site.site_header = "Manufacturing back office"
admin.site.site_title = "Manufacturing back office"
admin.site.index_title = "Plant administration"

api_patterns = [
    re_path(r"^health/?$", HealthView.as_view(), name="health"),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^docs/?$", SwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^redoc/?$", RedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("items.urls")),
    path("inventory/", include("inventory.urls")),
    path("manufacturing/", include("manufacturing.urls")),
    path("planning/", include("manufacturing.planning.urls")),
    path("", include("config.jobs.urls")),
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]

handler400 = "config.api.views.handler400"
handler404 = "config.api.views.handler404"
handler500 = "config.api.views.handler500"
