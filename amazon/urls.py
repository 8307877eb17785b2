from django.urls import path

from amazon import views

urlpatterns = [
    path("<str:order_id>/card/", views.order_card_fragment, name="order-card"),
]
