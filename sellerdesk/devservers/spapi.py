"""A local stand-in for the parts of Amazon's Selling Partner API the desk reads.

Login with Amazon's token endpoint, Orders API v2026-01-01 `searchOrders` (paged) and
`getOrder` (each answering only the `includedData` datasets asked for), and the
Reports API 2021-06-30 (createReport, getReport, getReportDocument, and the pre-signed
gzip download). It answers as Amazon does, Amazon's error bodies included, and can be
told to answer 429, 5xx, slowly, or with a broken document. The tests validate every
answer against Amazon's official models.
"""

import gzip
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sellerdesk.devservers.standin import Request, Response, StandIn

RATE_LIMITS = {  # operation: (requests per second, burst), as Amazon documents them
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
}
PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"


def amazon_error(status: int, code: str, message: str) -> Response:
    return Response(status, {"errors": [{"code": code, "message": message, "details": ""}]})


THROTTLED = amazon_error(
    429, "QuotaExceeded", "You exceeded your quota for the requested resource."
)
INTERNAL = amazon_error(
    500, "InternalFailure", "We encountered an internal error. Please try again."
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_order(
    n: int,
    *,
    marketplace_id: str = "ATVPDKIKX0DER",
    ship_by_hours: float = 24,
    status: str = "UNSHIPPED",
    now: datetime | None = None,
    order_id: str = "",
    title: str = "",
    quantity: int = 0,
    fulfilled_by: str = "MERCHANT",
    tracking: tuple[str, str, str] | None = None,
) -> dict:
    """An order as Amazon's Orders API returns it, due to ship `ship_by_hours` from now.
    `tracking` = (carrier, tracking number, package status) adds a shipped package."""
    now = now or datetime.now(UTC)
    created = now - timedelta(hours=30)
    ship_by = now + timedelta(hours=ship_by_hours)
    item_id = f"{n:014d}"
    order = {
        "orderId": order_id or f"11{n % 10}-{1000000 + n:07d}-{2000000 + n * 7 % 1000000:07d}",
        "createdTime": _iso(created),
        "lastUpdatedTime": _iso(created + timedelta(hours=1)),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": marketplace_id},
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": "STANDARD",
            "shipByWindow": {"earliestDateTime": _iso(created), "latestDateTime": _iso(ship_by)},
            "deliverByWindow": {
                "earliestDateTime": _iso(ship_by + timedelta(days=2)),
                "latestDateTime": _iso(ship_by + timedelta(days=5)),
            },
        },
        "orderItems": [
            {
                "orderItemId": item_id,
                "quantityOrdered": quantity or 1 + n % 3,
                "product": {
                    "asin": f"B0{n:08d}",
                    "title": title or f"Bamboo cutting board {n}",
                    "sellerSku": f"SKU-{n}",
                },
            }
        ],
    }
    if tracking:
        carrier, number, package_status = tracking
        order["packages"] = [
            {
                "packageReferenceId": f"PKG-{n}",
                "createdTime": _iso(created + timedelta(hours=2)),
                "packageStatus": {"status": package_status},
                "carrier": carrier,
                "shipTime": _iso(created + timedelta(hours=3)),
                "shippingService": f"{carrier} Tracked",
                "trackingNumber": number,
                "packageItems": [
                    {"orderItemId": item_id, "quantity": order["orderItems"][0]["quantityOrdered"]}
                ],
            }
        ]
    return order


def buyer_orders() -> list[dict]:
    """The orders the demo's sample buyers write about (inbox/samples), in their own
    marketplaces, so `make run` shows each conversation's order card."""
    us, de, jp = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"
    return [
        make_order(11, order_id="114-3941689-8772232", title="Bamboo cutting board, large",
                   status="SHIPPED", ship_by_hours=-60,
                   tracking=("UPS", "1Z999AA10123456784", "DELIVERED")),
        make_order(12, order_id="112-5530918-2244617", title="Walnut serving board",
                   ship_by_hours=18),
        make_order(13, order_id="302-7781120-6639125", marketplace_id=de,
                   title="Schneidebrett aus Bambus", status="SHIPPED", ship_by_hours=-20,
                   tracking=("DHL", "00340434161094042557", "IN_TRANSIT")),
        make_order(14, order_id="503-1209934-7716251", marketplace_id=jp,
                   title="竹製まな板", status="SHIPPED", ship_by_hours=-30, fulfilled_by="AMAZON"),
        make_order(15, order_id="111-2290471-6654829", marketplace_id=us,
                   title="Olive wood cheese board", status="SHIPPED", ship_by_hours=-50,
                   tracking=("USPS", "9400111899223197428490", "DELIVERED")),
    ]  # fmt: skip


# The datasets an answer carries only when `includedData` asks for them.
DATASETS = {"FULFILLMENT": "fulfillment", "PACKAGES": "packages"}
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}", re.ASCII)


def _with_datasets(order: dict, included: set[str]) -> dict:
    left_out = {key for name, key in DATASETS.items() if name not in included}
    return {k: v for k, v in order.items() if k not in left_out}


EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "amazon"
    / "spapi_models"
    / "accountHealthReport.example.json"
)
# Amazon's own example says prefulfillmentCancelRate, documentRequest and warningState and
# lacks two required metrics: the stand-in answers with the names the schema requires.
RENAMED = {
    "prefulfillmentCancelRate": "preFulfillmentCancellationRate",
    "documentRequest": "documentRequests",
    "warningState": "warningStates",
}


def _all_good(value):
    if isinstance(value, dict):
        return {
            k: ("GOOD" if k == "status" and v in ("BAD", "NONE") else _all_good(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_all_good(v) for v in value]
    return value


def health_report(
    *, marketplace_id: str = "ATVPDKIKX0DER", account: str = "NORMAL", bad: tuple[str, ...] = ()
) -> dict:
    """A seller performance document as the schema requires it; the metrics named in `bad`
    are BAD (and the health rating WARNED), everything else GOOD."""
    example = json.loads(EXAMPLE.read_text())
    metrics = {RENAMED.get(k, k): v for k, v in example["performanceMetrics"][0].items()}
    for missing in ("restrictedProductPolicyViolations", "suspectedIntellectualPropertyViolations"):
        metrics.setdefault(missing, dict(metrics["listingPolicyViolations"]))
    metrics = _all_good(metrics)
    metrics["warningStates"] = []
    metrics["marketplaceId"] = marketplace_id
    for key in bad:
        metrics[key]["status"] = "BAD"
    metrics["accountHealthRating"]["ahrStatus"] = "WARNED" if bad else "GREAT"
    return {
        "accountStatuses": [{"marketplaceId": marketplace_id, "status": account}],
        "performanceMetrics": [metrics],
    }


class SpApiStandIn(StandIn):
    def __init__(
        self,
        *,
        client_id: str = "amzn1.application-oa2-client.desk",
        client_secret: str = "desk-secret",
        refresh_token: str = "Atzr|desk",
        port: int = 0,
    ):
        super().__init__(port)
        self.client_id, self.client_secret, self.refresh_token = (
            client_id,
            client_secret,
            refresh_token,
        )
        self.orders: list[dict] = []
        self.page_size = 100
        self.report_document: dict | bytes = health_report()
        self.polls_until_done = 1
        self.broken_document = False
        self.tokens: set[str] = set()
        # What x-amzn-RateLimit-Limit says, per operation (Amazon can lower a seller's).
        self.rate_limits = {op: rate for op, (rate, _) in RATE_LIMITS.items()}
        self.reports: dict[str, dict] = {}
        self.calls: list[tuple[str, float]] = []  # (operation, time.time())
        self.answers: list[tuple[str, int, object]] = []  # (operation, status, body)
        self._state = threading.Lock()

    # --- routing ---

    def route(self, request: Request) -> Response:
        path = request.path
        if path == "/auth/o2/token" and request.method == "POST":
            return self._token(request)
        if path.startswith("/download/"):
            return self._download(path.rsplit("/", 1)[1])
        if request.headers.get("x-amz-access-token") not in self.tokens:
            return amazon_error(403, "Unauthorized", "Access to requested resource is denied.")
        if path == "/orders/2026-01-01/orders" and request.method == "GET":
            return self._limited("searchOrders", self._search_orders, request)
        if path.startswith("/orders/2026-01-01/orders/") and request.method == "GET":
            return self._limited("getOrder", self._get_order, request)
        if path == "/reports/2021-06-30/reports" and request.method == "POST":
            return self._limited("createReport", self._create_report, request)
        if path.startswith("/reports/2021-06-30/reports/") and request.method == "GET":
            return self._limited("getReport", self._get_report, path.rsplit("/", 1)[1])
        if path.startswith("/reports/2021-06-30/documents/") and request.method == "GET":
            return self._limited("getReportDocument", self._get_document, path.rsplit("/", 1)[1])
        return amazon_error(404, "NotFound", "The resource was not found.")

    def _limited(self, operation: str, handler, arg) -> Response:
        with self._state:
            self.calls.append((operation, time.time()))
        response = handler(arg)
        with self._state:
            self.answers.append((operation, response.status, response.body))
        if response.status < 300:
            response.headers["x-amzn-RateLimit-Limit"] = str(self.rate_limits[operation])
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)

    # --- Login with Amazon ---

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("grant_type") != "refresh_token":
            return Response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "The grant type is not supported",
                },
            )
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Response(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if form.get("refresh_token") != self.refresh_token:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter",
                },
            )
        token = "Atza|" + uuid.uuid4().hex
        with self._state:
            self.tokens.add(token)
        return Response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": 3600,
                "refresh_token": self.refresh_token,
            },
        )

    # --- Orders ---

    def _search_orders(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        if not (query.get("createdAfter") or query.get("lastUpdatedAfter")):
            return amazon_error(
                400, "InvalidInput", "Either createdAfter or lastUpdatedAfter is required."
            )
        markets = set(filter(None, query.get("marketplaceIds", "").split(",")))
        statuses = set(filter(None, query.get("fulfillmentStatuses", "").split(",")))
        found = [
            o
            for o in self.orders
            if (not markets or o["salesChannel"]["marketplaceId"] in markets)
            and (not statuses or o["fulfillment"]["fulfillmentStatus"] in statuses)
        ]
        size = min(int(query.get("maxResultsPerPage") or self.page_size), 100)
        start = int(query.get("paginationToken") or 0)
        included = set(filter(None, query.get("includedData", "").split(",")))
        page = [_with_datasets(o, included) for o in found[start : start + size]]
        body = {"orders": page}
        if start + size < len(found):
            body["pagination"] = {"nextToken": str(start + size)}
        return Response(200, body)

    def _get_order(self, request: Request) -> Response:
        order_id = request.path.rsplit("/", 1)[1]
        if not ORDER_ID.fullmatch(order_id):
            return amazon_error(400, "InvalidInput", f"Invalid orderId: {order_id[:40]}")
        found = next((o for o in self.orders if o["orderId"] == order_id), None)
        if found is None:
            return amazon_error(404, "NotFound", f"Order {order_id} was not found.")
        included = set(filter(None, request.query.get("includedData", [""])[0].split(",")))
        return Response(200, {"order": _with_datasets(found, included)})

    # --- Reports ---

    def _create_report(self, request: Request) -> Response:
        spec = request.json() or {}
        if not spec.get("reportType") or not spec.get("marketplaceIds"):
            return amazon_error(400, "InvalidInput", "reportType and marketplaceIds are required.")
        report_id = str(50000 + len(self.reports))
        with self._state:
            self.reports[report_id] = {"spec": spec, "polls": 0, "created": datetime.now(UTC)}
        return Response(202, {"reportId": report_id})

    def _get_report(self, report_id: str) -> Response:
        report = self.reports.get(report_id)
        if report is None:
            return amazon_error(404, "NotFound", f"Report {report_id} was not found.")
        report["polls"] += 1
        done = report["polls"] > self.polls_until_done
        body = {
            "reportId": report_id,
            "reportType": report["spec"]["reportType"],
            "marketplaceIds": report["spec"]["marketplaceIds"],
            "createdTime": _iso(report["created"]),
            "processingStatus": "DONE" if done else "IN_PROGRESS",
        }
        if done:
            body["processingEndTime"] = _iso(datetime.now(UTC))
            body["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{report_id}"
        return Response(200, body)

    def _get_document(self, document_id: str) -> Response:
        return Response(
            200,
            {
                "reportDocumentId": document_id,
                "url": f"{self.base_url}/download/{document_id}",
                "compressionAlgorithm": "GZIP",
            },
        )

    def _download(self, document_id: str) -> Response:
        if self.broken_document:
            return Response(
                200,
                b"\x1f\x8b\x08\x00 this is not a whole gzip stream",
                {"Content-Type": "application/octet-stream"},
            )
        document = self.report_document
        with self._state:
            self.answers.append(("document", 200, document))
        raw = document if isinstance(document, bytes) else json.dumps(document).encode()
        return Response(200, gzip.compress(raw), {"Content-Type": "application/octet-stream"})
