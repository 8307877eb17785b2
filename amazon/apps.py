from django.apps import AppConfig


class AmazonConfig(AppConfig):
    name = "amazon"
    verbose_name = "Amazon seller accounts and orders"
