from django.urls import path

from escalations import views

urlpatterns = [
    path("", views.owner_home, name="owner-home"),
]
