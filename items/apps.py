from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_live_item_count(sender, using, **kwargs):
    from items.live_count import live_item_count_install

    live_item_count_install(using=using)


class ItemsConfig(AppConfig):
    name = "items"
    verbose_name = "Item master"

    def ready(self):
        post_migrate.connect(
            _install_live_item_count, sender=self, dispatch_uid="items.live_item_count"
        )
