from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sellerdesk.models import User
from sellerdesk.roles import Role

DEMO_PASSWORD = "sellerdesk-demo"
# What the owner answered buyers before: the composer suggests these for similar questions.
EARLIER_ANSWERS = [
    ("Is the bamboo cutting board dishwasher safe? I want to give it as a gift.",
     "No, hand wash only: dishwasher heat splits bamboo. A little mineral oil once a month "
     "keeps it like new."),
    ("Tracking says delivered but I can't find the package anywhere. Can you check with the "
     "carrier?",
     "Ask them to check with neighbours and around the door; if it has not turned up within "
     "48 hours, send a replacement."),
    ("The garlic press arrived broken. Can I get a new one?",
     "Send a replacement today; they do not need to return the broken one."),
]  # fmt: skip
DEMO_PEOPLE = [
    ("assistant@demo.test", Role.ASSISTANT, "Maria Santos", "MS", "+15550100001"),
    ("owner@demo.test", Role.OWNER, "Sam Carter", "SC", "+15550100002"),
    ("admin@demo.test", Role.ADMIN, "Alex Admin", "AA", ""),
]


def demo_logins() -> str:
    """The demo people and their password, as `make run` prints them."""
    lines = [f"Demo people (password for each: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<10} {email:<22} {name}" for email, role, name, _, _ in DEMO_PEOPLE]
    return "\n".join(lines)


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
                # Only a password that is not the demo's is set again: setting it anew would
                # sign everyone out at every `make run` (the session holds its hash).
                if not user.check_password(DEMO_PASSWORD):
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                user.groups.set([Group.objects.get(name=role)])
            self.earlier_answers()
        self.stdout.write(demo_logins())

    def earlier_answers(self) -> None:
        from escalations.models import Escalation

        for question, answer in EARLIER_ANSWERS:
            Escalation.objects.get_or_create(
                about=Escalation.About.BUYER_QUESTION, details=question,
                defaults={"summary": f"A buyer asks: {question}"[:300], "answer": answer,
                          "answer_kind": Escalation.AnswerKind.TEXT,
                          "state": Escalation.State.RESOLVED, "notify_owner": False,
                          "answered_via": "page"},
            )  # fmt: skip
