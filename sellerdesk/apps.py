from django.apps import AppConfig


class SellerDeskConfig(AppConfig):
    name = "sellerdesk"
    verbose_name = "People and roles"

    def ready(self):
        from django.db.models.signals import post_migrate

        from sellerdesk.schedules import install_schedules

        # Recurring worker schedules live in the database; keep them in step with the code
        # after every migrate, idempotently.
        post_migrate.connect(install_schedules, sender=self)
