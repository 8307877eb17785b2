"""The assistant each benchmark renders pages as."""

from django.test import Client

from sellerdesk.models import User
from sellerdesk.services import person_create


def assistant_client(email: str, full_name: str, initials: str) -> Client:
    """A test client logged in as the assistant `email`, made on first use."""
    if not User.objects.filter(email=email).exists():
        person_create(email=email, role="assistant", full_name=full_name, initials=initials,
                      password="a-long-bench-password-1")  # fmt: skip
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client
