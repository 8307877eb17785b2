from django.urls import path

from inbox import views

urlpatterns = [
    path("", views.mail_list, name="mail-list"),
    path("<int:pk>/", views.mail_detail, name="mail-detail"),
    path("<int:pk>/act/", views.mail_act, name="mail-act"),
    path("<int:pk>/classify/", views.mail_classify, name="mail-classify"),
    path("actions/<int:pk>/undo/", views.mail_action_undo, name="mail-action-undo"),
    path("attachments/<int:pk>/", views.attachment_download, name="mail-attachment"),
]
