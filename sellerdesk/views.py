"""The desk's own pages that belong to no app: the OAuth sign-in's return."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sellerdesk import oauth


@login_not_required
@require_GET
def oauth_callback(request):
    """Microsoft or Google sends the browser back here with a code (or an error) and the
    state the desk gave. Needs no login: the state is single-use, short-lived and bound to
    the PKCE verifier the desk kept, so it is the proof. Works once; a reload says so."""
    params = request.GET
    try:
        finished = oauth.finish(
            state=params.get("state", ""),
            code=params.get("code", ""),
            error=params.get("error", ""),
            description=params.get("error_description", "")[:500],
        )
    except oauth.OAuthProblem as exc:
        return render(request, "sellerdesk/oauth_done.html", {"problem": str(exc)}, status=400)
    name = oauth.label(finished.provider)
    if finished.return_to and request.user.is_authenticated:
        messages.success(
            request, f"Connected {finished.account} with {name}. The first sync has started."
        )
        return redirect(finished.return_to)
    return render(
        request, "sellerdesk/oauth_done.html", {"account": finished.account, "provider": name}
    )
