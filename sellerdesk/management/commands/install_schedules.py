from django.core.management.base import BaseCommand

from sellerdesk.schedules import install_schedules


class Command(BaseCommand):
    help = "Create or update the worker's recurring schedules (also done by migrate)."

    def handle(self, *args, **opts):
        count = install_schedules()
        self.stdout.write(f"{count} recurring schedules installed.")
