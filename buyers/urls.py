from django.urls import path

from buyers import views

urlpatterns = [
    path("", views.queue, name="buyer-queue"),
    path("<int:pk>/", views.conversation, name="buyer-conversation"),
    path("<int:pk>/send/", views.send, name="buyer-send"),
    path("replies/<int:pk>/retry/", views.retry, name="buyer-reply-retry"),
    path("messages/<int:pk>/no-response/", views.no_response, name="buyer-no-response"),
    path("saved-replies/", views.saved_reply_list, name="saved-replies"),
    path("saved-replies/new/", views.saved_reply_edit, name="saved-reply-new"),
    path("saved-replies/<int:pk>/", views.saved_reply_edit, name="saved-reply-edit"),
    path(
        "saved-replies/<int:pk>/remove/",
        views.saved_reply_set_aside,
        {"how": "remove"},
        name="saved-reply-remove",
    ),
    path(
        "saved-replies/<int:pk>/put-back/",
        views.saved_reply_set_aside,
        {"how": "restore"},
        name="saved-reply-restore",
    ),
]

# The answer to an escalated mail is a reply like a buyer's: served under the escalation.
escalation_urlpatterns = [
    path("<int:pk>/reply/", views.escalation_reply, name="escalation-reply"),
    path("<int:pk>/handled/", views.escalation_handled, name="escalation-handled"),
]
