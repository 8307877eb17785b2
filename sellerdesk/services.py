"""Writes on people: the only place a person is created outside Django admin."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from sellerdesk.models import User
from sellerdesk.roles import Role


def person_create(
    *,
    email: str,
    role: str,
    full_name: str,
    initials: str,
    phone: str = "",
    password: str,
) -> User:
    """Create a person with one role. Raises ValidationError and writes nothing on bad input."""
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    validate_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"A person with the email {email} already exists.")
    user = User(
        email=email,
        full_name=(full_name or "").strip(),
        initials=(initials or "").strip().upper(),
        phone=(phone or "").strip(),
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user
