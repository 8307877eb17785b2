from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from buyers.urls import escalation_urlpatterns
from escalations.urls import owner_urlpatterns, public_urlpatterns
from sellerdesk.login import LoginView, admin_login
from sellerdesk.views import oauth_callback

admin.site.site_header = "SellerDesk admin"
admin.site.site_title = "SellerDesk admin"
admin.site.login = admin_login  # throttled like the desk's own login

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("oauth/callback/", oauth_callback, name="oauth-callback"),
    path("owner/", include(owner_urlpatterns)),
    path("escalations/", include("escalations.urls")),
    path("escalations/", include(escalation_urlpatterns)),
    path("", include(public_urlpatterns)),
    path("mail/", include("inbox.urls")),
    path("buyers/", include("buyers.urls")),
    path("orders/", include("amazon.urls")),
    path("", include("dashboard.urls")),
]
