from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("checklist.json", views.checklist_data, name="checklist-json"),
    path("checklist/refresh/", views.refresh, name="checklist-refresh"),
    path("shift/start/", views.shift_start, name="shift-start"),
    path("shift/end/", views.shift_end, name="shift-end"),
    path("shifts/", views.shift_log, name="shift-log"),
    path("amazon/", views.amazon, name="amazon"),
    path("health/", views.health, name="health"),
]
