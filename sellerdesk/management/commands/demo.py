from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sellerdesk.models import User
from sellerdesk.roles import Role

DEMO_PASSWORD = "sellerdesk-demo"
DEMO_PEOPLE = [
    ("assistant@demo.test", Role.ASSISTANT, "Maria Santos", "MS", "+15550100001"),
    ("owner@demo.test", Role.OWNER, "Sam Carter", "SC", "+15550100002"),
    ("admin@demo.test", Role.ADMIN, "Alex Admin", "AA", ""),
]


class Command(BaseCommand):
    help = "Load the demo desk: an assistant, an owner and an admin (run again to reset)."

    def handle(self, *args, **opts):
        if not settings.DEMO_ENABLED:
            raise CommandError("Demo data is refused under production settings.")
        with transaction.atomic():
            for email, role, name, initials, phone in DEMO_PEOPLE:
                user, _ = User.objects.update_or_create(
                    email=email,
                    defaults={
                        "full_name": name,
                        "initials": initials,
                        "phone": phone,
                        "is_staff": role == Role.ADMIN,
                        "is_superuser": role == Role.ADMIN,
                        "is_active": True,
                    },
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.set([Group.objects.get(name=role)])
        self.stdout.write(f"Demo people (password for each: {DEMO_PASSWORD}):")
        for email, role, name, _, _ in DEMO_PEOPLE:
            self.stdout.write(f"  {role:<10} {email:<22} {name}")
