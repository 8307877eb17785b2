"""Amazon's Selling Partner API: the one module that imports `sp_api`.

Every call goes through the account's rate budget for its operation (Amazon's token bucket,
kept in the database), retries 429 and 5xx with backoff, and raises SpApiError saying
whether a later pull can help. SPAPI_ENDPOINT and SPAPI_TOKEN_URL point the real library
at another server (a local stand-in).
"""

import importlib
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base.exceptions import SellingApiException

from amazon.models import RateBudget, SellerAccount
from sellerdesk.logs import outside_call

RATE_LIMITS = {  # operation: (requests per second, burst), Amazon's documented limits
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
}
PERFORMANCE_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
ORDER_DATA = ["FULFILLMENT", "PACKAGES"]  # what an order card shows, and no personal data


def _sleep(seconds: float) -> None:
    """Waiting for Amazon (a rate limit, a backoff, a report being made)."""
    time.sleep(seconds)


class SpApiError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status  # Amazon's HTTP status, when it answered


class RateLimited(SpApiError):
    def __init__(self, operation: str, wait: float):
        super().__init__(
            f"{operation}: Amazon's rate limit allows the next call in {wait:.0f} s.",
            retryable=True,
        )
        self.wait = wait


def marketplace(code: str):
    """sp_api reads only endpoint, marketplace_id and region from a marketplace."""
    try:
        known = Marketplaces[code]
    except KeyError:
        raise SpApiError(f"Unknown marketplace code {code!r}.", retryable=False) from None
    endpoint = settings.SPAPI_ENDPOINT or known.endpoint
    return SimpleNamespace(
        endpoint=endpoint, marketplace_id=known.marketplace_id, region=known.region
    )


def is_marketplace(code: str) -> bool:
    return bool(code) and code.upper() in Marketplaces.__members__


def marketplace_code(marketplace_id: str) -> str:
    """The desk's code (US, UK, DE, ...) for Amazon's marketplace id; "" when unknown."""
    for known in Marketplaces:
        if known.marketplace_id == marketplace_id:
            return "UK" if known.name == "GB" else known.name
    return ""


def _token_client_class():
    if not settings.SPAPI_TOKEN_URL:
        return AccessTokenClient
    url = urlsplit(settings.SPAPI_TOKEN_URL)
    return type(
        "DeskTokenClient",
        (AccessTokenClient,),
        {"scheme": f"{url.scheme}://", "host": url.netloc, "path": url.path},
    )


def take(account: SellerAccount, operation: str, *, now=None) -> None:
    """Spend one request from the operation's bucket, or raise RateLimited saying when."""
    rate, burst = RATE_LIMITS[operation]
    now = now or timezone.now()
    with transaction.atomic():
        budget, _ = RateBudget.objects.select_for_update().get_or_create(
            account=account,
            operation=operation,
            defaults={"rate": rate, "burst": burst, "tokens": burst, "updated_at": now},
        )
        elapsed = max(0.0, (now - budget.updated_at).total_seconds())
        tokens = min(budget.burst, budget.tokens + elapsed * budget.rate)
        if tokens < 1:
            raise RateLimited(operation, (1 - tokens) / budget.rate)
        budget.tokens, budget.updated_at = tokens - 1, now
        budget.save(update_fields=["tokens", "updated_at"])


def _learn(account: SellerAccount, operation: str, headers) -> None:
    """Amazon says the operation's current rate in x-amzn-RateLimit-Limit: believe it."""
    value = (headers or {}).get("x-amzn-RateLimit-Limit") or (headers or {}).get(
        "x-amzn-ratelimit-limit"
    )
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return
    if rate > 0:
        RateBudget.objects.filter(account=account, operation=operation).exclude(rate=rate).update(
            rate=rate
        )


def _empty_bucket(account: SellerAccount, operation: str) -> None:
    RateBudget.objects.filter(account=account, operation=operation).update(
        tokens=0, updated_at=timezone.now()
    )


@dataclass
class Client:
    account: SellerAccount

    def _credentials(self) -> dict:
        return {
            "refresh_token": self.account.refresh_token,
            "lwa_app_id": self.account.lwa_app_id,
            "lwa_client_secret": self.account.lwa_client_secret,
        }

    def _secrets(self) -> tuple[str, ...]:
        return (self.account.refresh_token, self.account.lwa_client_secret)

    def _api(self, name: str, code: str, **kwargs):
        # sp_api.api holds every one of Amazon's APIs and takes a tenth of a second to
        # import: loaded by the first call that needs one, not by every process and
        # command that starts the desk.
        cls = getattr(importlib.import_module("sp_api.api"), name)
        # Over plain http (a local stand-in) there is no certificate to check: skip loading
        # the CA bundle, which sp_api would otherwise do for every request.
        plain = settings.SPAPI_ENDPOINT.startswith("http://")
        return cls(
            marketplace=marketplace(code),
            credentials=self._credentials(),
            auth_token_client_class=_token_client_class(),
            verify=not plain,
            timeout=settings.SPAPI_TIMEOUT,
            **kwargs,
        )

    def _call(self, operation: str, call):
        """One request: within the budget, retried on 429 and 5xx with backoff."""
        for attempt in range(settings.SPAPI_RETRIES + 1):
            try:
                take(self.account, operation)
            except RateLimited as exc:
                if exc.wait > settings.SPAPI_MAX_WAIT_SECONDS:
                    raise  # the next pull tries again
                _sleep(exc.wait)
                take(self.account, operation)
            try:
                with outside_call("amazon", operation, secrets=self._secrets()):
                    response = call()
            except SellingApiException as exc:
                status = getattr(exc, "code", 0)
                message = getattr(exc, "message", "") or str(exc)
                if status == 429:
                    _empty_bucket(self.account, operation)
                retryable = status == 429 or status >= 500
                if not retryable or attempt == settings.SPAPI_RETRIES:
                    raise SpApiError(
                        f"{operation}: Amazon answered {status} {message}",
                        retryable=retryable,
                        status=status,
                    ) from None
                _sleep(settings.SPAPI_BACKOFF_SECONDS * 2**attempt)
                continue
            except AuthorizationError as exc:
                raise SpApiError(
                    f"Login with Amazon refused the credentials: {exc}", retryable=False
                ) from None
            except (OSError, ValueError, EOFError, zlib.error) as exc:  # network, broken document
                if attempt == settings.SPAPI_RETRIES:
                    raise SpApiError(f"{operation}: {exc}", retryable=True) from None
                _sleep(settings.SPAPI_BACKOFF_SECONDS * 2**attempt)
                continue
            _learn(self.account, operation, getattr(response, "headers", None))
            return response
        raise AssertionError("unreachable")

    def unshipped_orders(self, code: str) -> list[dict]:
        """Every UNSHIPPED or PARTIALLY_SHIPPED order of the last 30 days, all pages."""
        api = self._api("Orders", code, version="2026-01-01")
        since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {
            "marketplaceIds": [api.marketplace_id],
            "createdAfter": since,
            "fulfillmentStatuses": ["UNSHIPPED", "PARTIALLY_SHIPPED"],
            "includedData": ["FULFILLMENT"],  # the ship-by and deliver-by windows
            "maxResultsPerPage": 100,
        }
        orders, token = [], None
        while True:
            page_params = {**params, **({"paginationToken": token} if token else {})}
            response = self._call("searchOrders", lambda p=page_params: api.search_orders(**p))
            payload = response.payload or {}
            orders += payload.get("orders") or []
            # sp_api takes `pagination` out of the payload; it keeps the token.
            token = getattr(response, "next_token", None) or (
                (payload.get("pagination") or {}).get("nextToken")
            )
            if not token:
                return orders

    def order(self, code: str, order_id: str) -> dict:
        """getOrder (Orders API v2026-01-01): one order with its items, its fulfilment
        (status, ship-by and deliver-by windows) and its packages (tracking, merchant-fulfilled
        orders only). No buyer or address data: those need a restricted data token and the
        desk does not show them. A 404 raises SpApiError with status 404."""
        api = self._api("Orders", code, version="2026-01-01")
        response = self._call(
            "getOrder",
            lambda: api.get_order(order_id, includedData=ORDER_DATA),
        )
        return (response.payload or {}).get("order") or {}

    def performance_document(self, code: str, *, poll_seconds: float | None = None):
        """Create the seller performance report, wait for it, download it (gunzipped)."""
        api = self._api("Reports", code)
        created = self._call(
            "createReport",
            lambda: api.create_report(
                reportType=PERFORMANCE_REPORT, marketplaceIds=[api.marketplace_id]
            ),
        )
        report_id = created.payload["reportId"]
        poll = settings.SPAPI_POLL_SECONDS if poll_seconds is None else poll_seconds
        for _ in range(settings.SPAPI_POLLS):
            report = self._call("getReport", lambda: api.get_report(report_id)).payload or {}
            status = report.get("processingStatus")
            if status == "DONE":
                document_id = report["reportDocumentId"]
                response = self._call(
                    "getReportDocument",
                    lambda d=document_id: api.get_report_document(d, download=True),
                )
                return response.payload.get("document")
            if status in ("CANCELLED", "FATAL"):
                raise SpApiError(
                    f"Amazon ended the performance report: {status}.", retryable=status == "FATAL"
                )
            _sleep(poll)
        raise SpApiError("The performance report was not ready in time.", retryable=True)
