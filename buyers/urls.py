from django.urls import path

from buyers import views

urlpatterns = [
    path("", views.queue, name="buyer-queue"),
    path("<int:pk>/", views.conversation, name="buyer-conversation"),
    path("<int:pk>/send/", views.send, name="buyer-send"),
    path("replies/<int:pk>/retry/", views.retry, name="buyer-reply-retry"),
    path("messages/<int:pk>/no-response/", views.no_response, name="buyer-no-response"),
]

# The answer to an escalated mail is a reply like a buyer's: served under the escalation.
escalation_urlpatterns = [
    path("<int:pk>/reply/", views.escalation_reply, name="escalation-reply"),
    path("<int:pk>/handled/", views.escalation_handled, name="escalation-handled"),
]
