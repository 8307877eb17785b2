from django.apps import AppConfig


class SellerDeskConfig(AppConfig):
    name = "sellerdesk"
    verbose_name = "People and roles"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django_q.signals import post_spawn

        from sellerdesk.schedules import install_schedules
        from sellerdesk.tasks import worker_started

        # Recurring worker schedules live in the database; keep them in step with the code
        # after every migrate, idempotently.
        post_migrate.connect(install_schedules, sender=self)
        post_spawn.connect(worker_started, dispatch_uid="sellerdesk-worker-started")
