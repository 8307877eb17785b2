from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from dashboard import services
from dashboard.checklist import checklist_items, checklist_json, checklist_state
from dashboard.models import Shift
from dashboard.selectors import amazon_summary
from dashboard.trends import trends
from sellerdesk.refused import refuse
from sellerdesk.roles import Role, has_role, role_required
from sellerdesk.selectors import worker_health, worker_is_running, worker_last_seen


def home(request):
    if has_role(request.user, Role.OWNER) and not has_role(request.user, Role.ASSISTANT):
        return redirect("owner-home")
    return _checklist(request)


def _context(request) -> dict:
    state = checklist_state()
    seen = worker_last_seen()
    return {
        "items": checklist_items(state),
        "now": state["now"],
        "worker_running": worker_is_running(seen),
        "worker_last_seen": seen,
        "shift": Shift.objects.filter(assistant=request.user, ended_at__isnull=True).first(),
    }


@role_required(Role.ASSISTANT)
def _checklist(request):
    template = (
        "dashboard/checklist.html" if request.headers.get("HX-Request") else "dashboard/home.html"
    )
    return render(request, template, _context(request))


@role_required(Role.ASSISTANT)
def checklist_data(request):
    return JsonResponse(checklist_json(checklist_state()))


@require_POST
@role_required(Role.ASSISTANT)
def refresh(request):
    """Sync the mail and pull Amazon now, in the worker; the page shows the new figures as
    they land."""
    async_task("inbox.tasks.sync_all_mailboxes", group="refresh")
    async_task("dashboard.tasks.pull_amazon", group="refresh")
    messages.info(request, "Refreshing: mail sync and Amazon pull started; figures update here.")
    return redirect("amazon" if request.POST.get("next") == "amazon" else "home")


@require_POST
@role_required(Role.ASSISTANT)
def shift_start(request):
    services.shift_start(assistant=request.user)
    messages.success(request, "Shift started.")
    return redirect("home")


@require_POST
@role_required(Role.ASSISTANT)
def shift_end(request):
    try:
        services.shift_end(assistant=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        return refuse(request, form="shift-end", errors=exc.messages, to="home")
    else:
        messages.success(request, "Shift ended; the owner can see what was done and left.")
    return redirect("home")


@role_required(Role.OWNER)
def shift_log(request):
    shifts = Shift.objects.select_related("assistant")[:90]
    return render(request, "dashboard/shifts.html", {"shifts": shifts})


@role_required(Role.ASSISTANT)
def amazon(request):
    return render(
        request,
        "dashboard/amazon.html",
        {"amazon": amazon_summary(with_orders=True), "charts": trends()},
    )


@role_required(Role.ASSISTANT, Role.OWNER)
def health(request):
    return render(request, "dashboard/health.html", {"health": worker_health()})
