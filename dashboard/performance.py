"""Reading Amazon's seller performance report (GET_V2_SELLER_PERFORMANCE_REPORT). Pure.

Amazon says GOOD / BAD / NONE per metric and NORMAL / AT_RISK / DEACTIVATED per account;
the seller's procedure says Good / Fair / Poor. Good: the account is NORMAL and nothing is
BAD. Fair: NORMAL, but a metric or warning is BAD or the health rating is WARNED. Poor:
AT_RISK, DEACTIVATED, or a status the desk does not know. Fields the desk does not know
are kept and shown; a missing one never stops the parse.
"""

from dataclasses import dataclass, field

GOOD, FAIR, POOR = "Good", "Fair", "Poor"

# As Seller Central names them.
AREA_NAMES = {
    "orderDefectRate": "Order Defect Rate",
    "lateShipmentRate": "Late Shipment Rate",
    "preFulfillmentCancellationRate": "Pre-fulfillment Cancel Rate",
    "validTrackingRate": "Valid Tracking Rate",
    "onTimeDeliveryRate": "On-Time Delivery Rate",
    "unitOnTimeDeliveryRate": "Unit On-Time Delivery Rate",
    "invoiceDefectRate": "Invoice Defect Rate",
    "listingPolicyViolations": "Listing Policy Violations",
    "productAuthenticityCustomerComplaints": "Product Authenticity Customer Complaints",
    "productConditionCustomerComplaints": "Product Condition Customer Complaints",
    "productSafetyCustomerComplaints": "Product Safety Customer Complaints",
    "receivedIntellectualPropertyComplaints": "Received Intellectual Property Complaints",
    "restrictedProductPolicyViolations": "Restricted Product Policy Violations",
    "suspectedIntellectualPropertyViolations": "Suspected Intellectual Property Violations",
    "foodAndProductSafetyIssues": "Food and Product Safety Issues",
    "otherPolicyViolations": "Other Policy Violations",
    "documentRequests": "Document Requests",
    "warningStates": "Policy Warnings",
    "accountHealthRating": "Account Health Rating",
}
MARKETPLACE_CODES = {
    "ATVPDKIKX0DER": "US", "A2EUQ1WTGCTBG2": "CA", "A1AM78C64UM0Y8": "MX",
    "A2Q3Y263D00KWC": "BR", "A1F83G8C2ARO7P": "UK", "A1PA6795UKMFR9": "DE",
    "A13V1IB3VIYZZH": "FR", "APJ6JRA9NG5V4": "IT", "A1RKKUPIHCS9HS": "ES",
    "A1805IZSGTT6HS": "NL", "A2NODRKZP88ZB9": "SE", "A1C3SOZRARQ6R3": "PL",
    "A1VC38T7YXB528": "JP", "A39IBJ37TRP1C6": "AU", "A21TJRUUN4KGV": "IN",
}  # fmt: skip


# The rating's words as a metric's status: WARNED fails, GREAT (or a future GOOD) is good.
RATING_STATUS = {"GREAT": "GOOD", "GOOD": "GOOD", "WARNED": "BAD"}


@dataclass
class Metric:
    key: str
    name: str
    status: str  # GOOD, BAD, NONE, or what Amazon said
    rate: float | None = None
    target: float | None = None
    condition: str = ""
    count: int | None = None
    rating: str = ""  # the Account Health Rating's own word (GREAT, WARNED), when it is that
    score: float | None = None  # its score, where Amazon's report carries one

    @property
    def failing(self) -> bool:
        return self.status == "BAD"


@dataclass
class MarketplaceHealth:
    marketplace_id: str
    account_status: str = "UNKNOWN"
    metrics: list[Metric] = field(default_factory=list)
    rating: str = ""
    unknown: dict = field(default_factory=dict)  # fields the desk does not read, kept

    @property
    def code(self) -> str:
        return MARKETPLACE_CODES.get(self.marketplace_id, self.marketplace_id)

    @property
    def failing_areas(self) -> list[str]:
        # The rating is named last, once, whether or not it came as a metric.
        rating = AREA_NAMES["accountHealthRating"]
        areas = [m.name for m in self.metrics if m.failing and m.name != rating]
        if self.rating == "WARNED" or any(m.failing and m.name == rating for m in self.metrics):
            areas.append(rating)
        return areas

    @property
    def verdict(self) -> str:
        if self.account_status != "NORMAL":
            return POOR
        return FAIR if self.failing_areas else GOOD


@dataclass
class PerformanceReport:
    marketplaces: list[MarketplaceHealth]
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str | None:
        """The worst marketplace's: Poor over Fair over Good; None with nothing to judge."""
        if not self.marketplaces:
            return None
        order = {GOOD: 0, FAIR: 1, POOR: 2}
        return max((m.verdict for m in self.marketplaces), key=order.__getitem__)

    @property
    def failing_areas(self) -> list[str]:
        areas = []
        for health in self.marketplaces:
            if health.account_status != "NORMAL":
                areas.append(f"Account status {health.account_status} ({health.code})")
            areas += [f"{area} ({health.code})" for area in health.failing_areas]
        return areas


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):  # {"value": 0.01} or similar
        return _number(value.get("value"))
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _metric(key: str, value) -> Metric | None:
    if not isinstance(value, dict):
        return None
    name = AREA_NAMES.get(key) or key
    count = value.get("defectsCount", value.get("lateShipmentCount"))
    return Metric(
        key=key, name=name, status=str(value.get("status") or "").upper() or "NONE",
        rate=_number(value.get("rate")), target=_number(value.get("targetValue")),
        condition=str(value.get("targetCondition") or ""),
        count=count if isinstance(count, int) and not isinstance(count, bool) else None,
    )  # fmt: skip


def _order_defect(value) -> list[Metric]:
    """orderDefectRate comes per fulfilment channel: {"mfn": {...}, "afn": {...}}."""
    if isinstance(value, dict) and ("mfn" in value or "afn" in value):
        metrics = []
        for channel, label in (("mfn", "seller-fulfilled"), ("afn", "Amazon-fulfilled")):
            metric = _metric("orderDefectRate", value.get(channel))
            if metric:
                metric.name = f"Order Defect Rate ({label})"
                metrics.append(metric)
        return metrics
    metric = _metric("orderDefectRate", value)
    return [metric] if metric else []


def _marketplace(entry) -> str:
    """The entry's marketplace id, or "" when it has none that is text."""
    found = entry.get("marketplaceId") if isinstance(entry, dict) else None
    return found if isinstance(found, str) else ""


def parse_report(document) -> PerformanceReport:
    """The report as the desk reads it; never raises for a document of the wrong shape."""
    problems = []
    if not isinstance(document, dict):
        return PerformanceReport([], ["The report is not a JSON object."])
    by_id: dict[str, MarketplaceHealth] = {}
    statuses = document.get("accountStatuses")
    if not isinstance(statuses, list):
        problems.append("The report has no account statuses.")
        statuses = []
    for entry in statuses:
        marketplace = _marketplace(entry)
        if marketplace:
            health = by_id.setdefault(marketplace, MarketplaceHealth(marketplace))
            health.account_status = str(entry.get("status") or "").upper() or "UNKNOWN"
    metrics = document.get("performanceMetrics")
    if not isinstance(metrics, list):
        problems.append("The report has no performance metrics.")
        metrics = []
    for entry in metrics:
        if not isinstance(entry, dict):
            continue
        marketplace = _marketplace(entry) or "UNKNOWN"
        health = by_id.setdefault(marketplace, MarketplaceHealth(marketplace))
        for key, value in entry.items():
            if key == "marketplaceId":
                continue
            if key == "orderDefectRate":
                health.metrics += _order_defect(value)
            elif key == "accountHealthRating":
                rating = (
                    value.get("ahrStatus") or value.get("accountHealthRatingStatus")
                    if isinstance(value, dict)
                    else None
                )
                health.rating = str(rating or "").upper()
                if health.rating:
                    score = value.get("ahrScore") if isinstance(value, dict) else None
                    health.metrics.append(
                        Metric(key, AREA_NAMES[key], RATING_STATUS.get(health.rating, "NONE"),
                               rating=health.rating, score=_number(score))
                    )  # fmt: skip
            elif key == "warningStates":
                if isinstance(value, list) and any(
                    isinstance(w, dict) and str(w.get("status")).upper() == "BAD" for w in value
                ):
                    health.metrics.append(Metric(key, AREA_NAMES[key], "BAD"))
            elif key in AREA_NAMES:
                metric = _metric(key, value)
                if metric:
                    health.metrics.append(metric)
                else:
                    health.unknown[key] = value
            else:
                health.unknown[key] = value
                metric = _metric(key, value)
                if metric and metric.failing:
                    health.metrics.append(metric)
    for key in document:
        if key not in ("accountStatuses", "performanceMetrics"):
            problems.append(f"Field {key!r} is not one the desk reads; kept.")
    return PerformanceReport(list(by_id.values()), problems)
