"""Nothing the desk shows is kept by a browser or a proxy cache: mail, buyers, escalations
and the owner's items are private, and a shared or back-button cache would show them to the
next person at the machine. Static files keep their own caching (whitenoise answers them
before this middleware sees them); a view that sets Cache-Control itself keeps it."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and not request.path.startswith(self.static):
            add_never_cache_headers(response)  # no-store, no-cache, private, max-age=0
        return response
