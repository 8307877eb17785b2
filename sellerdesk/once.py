"""Every action of the assistant acts once: each form carries a fresh one-time key (the
`{% once %}` tag), and the view claims it with an INSERT under a unique constraint before
it acts. Two posts of one form, at once or one after the other (a double click, a retried
post, a reload), claim it once: the other is told nothing more was done. A post the desk
refused for its content gives its key back, so the corrected form can be sent."""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from sellerdesk.models import FormKey

FIELD = "once"
KEPT = timedelta(days=7)
ALREADY = "That was done already (a second click or a reload): nothing more was done."


def new_key() -> str:
    return secrets.token_urlsafe(18)


def _key(request) -> str:
    return (request.POST.get(FIELD) or "")[:64]


def claim(request) -> bool:
    """True when this post may act (its key is now taken, or it carried none)."""
    key = _key(request)
    if not key:
        return True
    user = request.user if request.user.is_authenticated else None
    try:
        with transaction.atomic():
            FormKey.objects.create(key=key, user=user)
    except IntegrityError:
        return False
    return True


def repeated(request, *to, **kwargs):
    """None when this post may act (its key is claimed now); else the redirect to `to`
    (as `redirect` takes it) that tells the person nothing more was done."""
    if claim(request):
        return None
    messages.info(request, ALREADY)
    return redirect(*to, **kwargs)


def release(request) -> None:
    """The post was refused for what it held: the same form may be sent again."""
    key = _key(request)
    if key:
        FormKey.objects.filter(key=key).delete()


@contextmanager
def acting(request):
    """Around the action a claimed post does: an error other than a refusal (a database or
    a server that failed) gives the key back, so the same form can be sent again."""
    try:
        yield
    except ValidationError:
        raise  # the view says why; it gives the key back itself
    except Exception:
        release(request)
        raise


def forget_old() -> int:
    return FormKey.objects.filter(created_at__lt=timezone.now() - KEPT).delete()[0]
