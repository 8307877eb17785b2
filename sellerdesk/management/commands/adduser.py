import secrets
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sellerdesk.roles import Role
from sellerdesk.services import person_create


class Command(BaseCommand):
    help = (
        "Create a person who uses the desk. Without --password-stdin a random password is "
        "made and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Login email address.")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", required=True, help='Full name, e.g. "Maria Santos".')
        parser.add_argument(
            "--initials", required=True, help="1-4 letters the assistant signs texts with."
        )
        parser.add_argument("--phone", default="", help="International form, e.g. +15551234567.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args, **opts):
        if opts["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input; nothing was created.")
            generated = False
        else:
            password = secrets.token_urlsafe(12)
            generated = True
        try:
            user = person_create(
                email=opts["email"],
                role=opts["role"],
                full_name=opts["name"],
                initials=opts["initials"],
                phone=opts["phone"],
                password=password,
            )
        except ValidationError as exc:
            problems = "; ".join(_messages(exc))
            raise CommandError(f"{problems} Nothing was created.") from None
        self.stdout.write(self.style.SUCCESS(f"Created {opts['role']} {user}"))
        if generated:
            self.stdout.write(f"Password: {password}")


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
    return [str(message) for message in exc.messages]
