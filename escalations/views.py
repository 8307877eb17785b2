from django.shortcuts import render

from sellerdesk.roles import Role, role_required


@role_required(Role.OWNER)
def owner_home(request):
    return render(request, "escalations/owner_home.html")
