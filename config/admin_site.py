"""The admin site of the product: Django's, with the planner's home (config.admin_home) above
the app list. `PlannerAdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS, so every
`@admin.register` lands on this site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PlannerAdminSite(admin.AdminSite):
    index_template = "admin/planner_home.html"
    # Django's app sidebar takes some 300 px of every page: at 1440 px, next to a list's
    # filters, it left a list 776 px. The home page and the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        from config.admin_home import home_cards

        extra_context = {**(extra_context or {}), "home_cards": home_cards(request)}
        return super().index(request, extra_context)


class PlannerAdminConfig(AdminConfig):
    default_site = "config.admin_site.PlannerAdminSite"

    def ready(self):
        super().ready()
        from config.admin_home import home_card_register, jobs_card

        home_card_register("jobs", jobs_card, order=90)
