"""The three kinds of people who use the desk, and the checks views make on them."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    ASSISTANT = "assistant", "Assistant"
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"


def has_role(user, *roles: str) -> bool:
    """True when the user holds one of `roles`. Admins may do everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    held = _roles_held(user)
    return Role.ADMIN in held or bool(held.intersection(roles))


def _roles_held(user) -> frozenset[str]:
    """The user's group names, read once per user object (a request asks several times)."""
    held = getattr(user, "_desk_roles", None)
    if held is None:
        held = frozenset(user.groups.values_list("name", flat=True))
        user._desk_roles = held
    return held


def role_required(*roles: str) -> Callable:
    """View decorator: 403 for a signed-in person without one of `roles`.

    Anonymous visitors never get here: LoginRequiredMiddleware sends them to the login page.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
