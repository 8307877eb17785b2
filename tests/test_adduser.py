import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sellerdesk.models import User

pytestmark = pytest.mark.django_db


def adduser(*args, stdin: str | None = None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


def test_creates_an_assistant_with_a_printed_password(client):
    out = adduser(
        "maria@shop.test",
        "--role",
        "assistant",
        "--name",
        "Maria Santos",
        "--initials",
        "ms",
        "--phone",
        "+15551234567",
    )
    user = User.objects.get(email="maria@shop.test")
    assert (user.full_name, user.initials, user.phone) == ("Maria Santos", "MS", "+15551234567")
    assert user.roles == ["assistant"]
    assert not user.is_staff
    password = out.split("Password: ")[1].strip()
    assert client.login(username="maria@shop.test", password=password)


def test_password_from_stdin(monkeypatch, client):
    adduser(
        "sam@shop.test",
        "--role",
        "owner",
        "--name",
        "Sam Carter",
        "--initials",
        "SC",
        "--password-stdin",
        stdin="a-Long-passphrase-77\n",
        monkeypatch=monkeypatch,
    )
    assert client.login(username="sam@shop.test", password="a-Long-passphrase-77")


def test_admin_role_may_use_django_admin():
    adduser("alex@shop.test", "--role", "admin", "--name", "Alex A", "--initials", "AA")
    user = User.objects.get(email="alex@shop.test")
    assert user.is_staff and user.is_superuser


def test_bad_role_is_a_clear_error_and_creates_nothing():
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        adduser("x@shop.test", "--role", "boss", "--name", "X Y", "--initials", "XY")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["not-an-email", "--initials", "MS"], "valid email"),
        (["m@shop.test", "--initials", "M1"], "initials: Initials are 1 to 4 capital letters"),
        (["m@shop.test", "--initials", "MS", "--phone", "555-1234"], "phone: Enter the phone"),
    ],
)
def test_bad_fields_create_nothing(args, complaint):
    with pytest.raises(CommandError, match=complaint):
        adduser(*args, "--role", "assistant", "--name", "Maria Santos")
    assert not User.objects.exists()


def test_weak_password_is_refused(monkeypatch):
    with pytest.raises(CommandError, match=r"too common|too short"):
        adduser(
            "m@shop.test",
            "--role",
            "assistant",
            "--name",
            "Maria Santos",
            "--initials",
            "MS",
            "--password-stdin",
            stdin="password\n",
            monkeypatch=monkeypatch,
        )
    assert not User.objects.exists()


def test_duplicate_email_is_refused():
    adduser("m@shop.test", "--role", "assistant", "--name", "Maria Santos", "--initials", "MS")
    with pytest.raises(CommandError, match="already exists"):
        adduser("M@Shop.test", "--role", "owner", "--name", "Other", "--initials", "OT")
    assert User.objects.count() == 1
