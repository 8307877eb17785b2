"""A refused form comes back where it is on the page, not at the top: the view keeps what
was typed and why it was refused (in the session), redirects, so a reload posts nothing,
and the page shows the reasons beside that form with its field focused
(`static/js/forms.js` brings both into view). Pages read it as `refused`, lazily: only a
page that shows a form takes it."""

from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

KEY = "sellerdesk:refused"
NOT_KEPT = {"csrfmiddlewaretoken", "once"}


def refuse(request, *, form: str, errors: list[str], to: str, **kwargs):
    """Back to `to` (as `redirect` takes it) with `errors` beside the form named `form`."""
    request.session[KEY] = {
        "form": form,
        "errors": [str(e) for e in errors],
        "data": {k: v for k, v in request.POST.items() if k not in NOT_KEPT},
    }
    return redirect(to, **kwargs)


def refused_form(request, form: str) -> dict | None:
    """What `refuse` kept for the form named `form` (taken: a reload shows the form fresh),
    or None when it was refused for another form or not at all."""
    kept = request.session.get(KEY)
    if not kept or kept.get("form") != form:
        return None
    del request.session[KEY]
    return kept


def refused_for_page(request):
    """What a refused form left for this page (empty when nothing was refused)."""
    session = getattr(request, "session", None)
    return SimpleLazyObject(lambda: (session.pop(KEY, None) if session is not None else None) or {})


# A page that is one form (a new note, a saved reply): the form itself comes back bound to
# what was typed, each reason beside its field (the form's own errors), the first focused.


def form_refused(request, *, name: str):
    """Keep what was posted to the form `name` and go back to the page it came from."""
    request.session[f"{KEY}:{name}"] = request.POST.dict()
    return redirect(request.path)


def form_as_left(request, form_class, *, name: str, **kwargs):
    """The form `name` bound to what was refused a moment ago, or a fresh one."""
    kept = request.session.pop(f"{KEY}:{name}", None)
    if not kept:
        return form_class(**kwargs)
    form = form_class(kept, **kwargs)
    if not form.is_valid():
        first = next((field for field in form.errors if field in form.fields), None)
        if first:
            form.fields[first].widget.attrs["autofocus"] = True
    return form
