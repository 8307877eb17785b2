from sellerdesk.refused import refused_for_page
from sellerdesk.roles import Role, has_role


def desk(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_assistant": has_role(user, Role.ASSISTANT),
        "is_owner": has_role(user, Role.OWNER),
        "is_admin": has_role(user, Role.ADMIN),
    }


def refused(request):
    return {"refused": refused_for_page(request)}
