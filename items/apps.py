from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _install_live_item_count(sender, using, **kwargs):
    from items.live_count import live_item_count_install

    live_item_count_install(using=using)


def _recount_loaded_row(sender, instance, raw, using, **kwargs):
    if raw:  # loaddata, or a test database restored: the row as it was when dumped
        from items.live_count import live_item_count_recount

        live_item_count_recount(using=using)


class ItemsConfig(AppConfig):
    name = "items"
    verbose_name = "Item master"

    def ready(self):
        from items.models import LiveItemCount

        post_migrate.connect(
            _install_live_item_count, sender=self, dispatch_uid="items.live_item_count"
        )
        post_save.connect(
            _recount_loaded_row, sender=LiveItemCount, dispatch_uid="items.live_item_recount"
        )
