from django.apps import AppConfig


class SellerDeskConfig(AppConfig):
    name = "sellerdesk"
    verbose_name = "People and roles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate
        from django_q.signals import post_spawn

        from sellerdesk import checks, lookups  # noqa: F401 (checks registers the deploy checks)
        from sellerdesk.login import on_logged_in
        from sellerdesk.schedules import install_schedules
        from sellerdesk.tasks import worker_started

        # Every login form's attempts count against one throttle (sellerdesk.login); the
        # right password gives the account's count back.
        user_logged_in.connect(on_logged_in, dispatch_uid="sellerdesk-logged-in")

        # Recurring worker schedules live in the database; keep them in step with the code
        # after every migrate, idempotently.
        post_migrate.connect(install_schedules, sender=self)
        post_spawn.connect(worker_started, dispatch_uid="sellerdesk-worker-started")
        # `__folded`: contains, ignoring case in every script (the searches of the lists).
        lookups.install()
