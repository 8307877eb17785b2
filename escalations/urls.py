from django.urls import path

from escalations import views

owner_urlpatterns = [
    path("", views.owner_home, name="owner-home"),
]

urlpatterns = [
    path("", views.escalation_index, name="escalation-list"),
    path("new/", views.escalation_new, name="escalation-new"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("outbox/<int:pk>/retry/", views.notification_retry, name="notification-retry"),
    path("<int:pk>/", views.escalation_detail, name="escalation-detail"),
    path("<int:pk>/edit/", views.escalation_edit, name="escalation-edit"),
    path("<int:pk>/close/", views.escalation_close, name="escalation-close"),
]

public_urlpatterns = [
    path("o/<str:token>/", views.owner_link, name="owner-link"),
    path("sms/inbound", views.sms_inbound, name="sms-inbound"),
    path("sms/status", views.sms_status, name="sms-status"),
]
