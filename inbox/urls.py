from django.urls import path

from inbox import buyer_views, views

urlpatterns = [
    path("", views.mail_list, name="mail-list"),
    path("<int:pk>/", views.mail_detail, name="mail-detail"),
    path("<int:pk>/act/", views.mail_act, name="mail-act"),
    path("<int:pk>/classify/", views.mail_classify, name="mail-classify"),
    path("actions/<int:pk>/undo/", views.mail_action_undo, name="mail-action-undo"),
    path("attachments/<int:pk>/", views.attachment_download, name="mail-attachment"),
]

buyer_urlpatterns = [
    path("", buyer_views.queue, name="buyer-queue"),
    path("<int:pk>/", buyer_views.conversation, name="buyer-conversation"),
    path("<int:pk>/send/", buyer_views.send, name="buyer-send"),
    path("replies/<int:pk>/retry/", buyer_views.retry, name="buyer-reply-retry"),
    path("messages/<int:pk>/no-response/", buyer_views.no_response, name="buyer-no-response"),
]
