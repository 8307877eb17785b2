from django.shortcuts import redirect, render

from dashboard.selectors import amazon_summary
from sellerdesk.roles import Role, has_role, role_required
from sellerdesk.selectors import worker_is_running, worker_last_seen

# The seed's daily checks, in its order. Each becomes a live line as its issue lands.
SEED_CHECKLIST = [
    ("Unshipped orders", "Should be 0 once the day's orders are processed."),
    ("Seller performance", "Should be Good; if Fair or Poor, report the failing areas."),
    ("Buyer messages", "Answer every one within 24 hours, through Amazon's channel."),
    ("Mailbox: Inbox and Spam", "Delete notices, answer buyers, report anything else."),
    ("Waiting on the owner", "Text again after 2 days without an answer."),
]


def home(request):
    if has_role(request.user, Role.OWNER) and not has_role(request.user, Role.ASSISTANT):
        return redirect("owner-home")
    return _checklist(request)


@role_required(Role.ASSISTANT)
def _checklist(request):
    return render(
        request,
        "dashboard/home.html",
        {
            "items": SEED_CHECKLIST,
            "amazon": amazon_summary(),
            "worker_running": worker_is_running(),
            "worker_last_seen": worker_last_seen(),
        },
    )


@role_required(Role.ASSISTANT)
def amazon(request):
    return render(request, "dashboard/amazon.html", {"amazon": amazon_summary()})
