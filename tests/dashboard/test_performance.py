"""Reading Amazon's seller performance report into Good / Fair / Poor, without a network."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.performance import FAIR, GOOD, POOR, Metric, parse_report
from sellerdesk.devservers.spapi import health_report

US, UK = "ATVPDKIKX0DER", "A1F83G8C2ARO7P"


def report(*metrics: dict, statuses=None, **extra) -> dict:
    """A document with `metrics` (one entry per marketplace, the US unless an entry names
    another) and the given account statuses (NORMAL for each unless given)."""
    metrics = tuple({"marketplaceId": US, **m} if isinstance(m, dict) else m for m in metrics)
    if statuses is None:
        statuses = [{"marketplaceId": m.get("marketplaceId", US), "status": "NORMAL"}
                    for m in metrics]  # fmt: skip
    return {"accountStatuses": statuses, "performanceMetrics": list(metrics), **extra}


def test_amazons_example_with_everything_good_is_good_and_read_in_full():
    parsed = parse_report(health_report())
    assert parsed.verdict == GOOD and parsed.failing_areas == [] and parsed.problems == []
    [us] = parsed.marketplaces
    assert (us.code, us.account_status, us.rating, us.unknown) == ("US", "NORMAL", "GREAT", {})
    late = next(m for m in us.metrics if m.key == "lateShipmentRate")
    assert late == Metric(
        key="lateShipmentRate", name="Late Shipment Rate", status="GOOD",
        rate=0.03203973037, target=0.04, condition="LESS_THAN", count=27896,
    )  # fmt: skip
    safety = next(m for m in us.metrics if m.key == "productSafetyCustomerComplaints")
    assert (safety.count, safety.target, safety.rate) == (165, 0, None)


def test_one_bad_metric_is_fair_with_the_area_and_the_warned_rating_named():
    parsed = parse_report(health_report(bad=("lateShipmentRate",)))
    assert parsed.verdict == FAIR
    assert parsed.failing_areas == ["Late Shipment Rate (US)", "Account Health Rating (US)"]


def test_a_warned_rating_alone_is_fair():
    assert parse_report(report({"accountHealthRating": {"ahrStatus": "warned"}})).verdict == FAIR


def test_the_older_name_of_the_rating_status_is_read_too():
    document = report({"accountHealthRating": {"accountHealthRatingStatus": "WARNED"}})
    parsed = parse_report(document)
    assert parsed.marketplaces[0].rating == "WARNED" and parsed.verdict == FAIR


@pytest.mark.parametrize(
    ("rating", "read"),
    [(None, ""), ({}, ""), ({"ahrStatus": None}, ""), ({"ahrStatus": "great"}, "GREAT"),
     (["WARNED"], ""), ({"other": "WARNED"}, "")],
)  # fmt: skip
def test_a_rating_other_than_warned_is_good(rating, read):
    parsed = parse_report(report({"accountHealthRating": rating}))
    assert parsed.marketplaces[0].rating == read
    assert parsed.verdict == GOOD and parsed.failing_areas == []


def test_a_bad_metric_and_a_warned_rating_name_the_rating_once():
    document = report({
        "accountHealthRating": {"ahrStatus": "WARNED"},
        "otherPolicyViolations": {"status": "BAD"},
        "warningStates": [{"status": "GOOD"}, {"status": "bad"}],
    })  # fmt: skip
    parsed = parse_report(document)
    warnings = next(m for m in parsed.marketplaces[0].metrics if m.name == "Policy Warnings")
    assert (warnings.key, warnings.status) == ("warningStates", "BAD")
    assert parsed.failing_areas == [
        "Other Policy Violations (US)",
        "Policy Warnings (US)",
        "Account Health Rating (US)",
    ]


@pytest.mark.parametrize("warnings", [[], [{"status": "GOOD"}], [{}], ["BAD"], {"status": "BAD"}])
def test_warnings_that_are_not_bad_are_not_a_failing_area(warnings):
    assert parse_report(report({"warningStates": warnings})).verdict == GOOD


@pytest.mark.parametrize(
    ("status", "verdict"),
    [("NORMAL", GOOD), ("normal", GOOD), ("AT_RISK", POOR), ("DEACTIVATED", POOR),
     ("SOMETHING_NEW", POOR), ("", POOR), (None, POOR)],
)  # fmt: skip
def test_an_account_that_is_not_normal_is_poor(status, verdict):
    document = report({}, statuses=[{"marketplaceId": US, "status": status}])
    parsed = parse_report(document)
    assert parsed.verdict == verdict
    if verdict == POOR:
        expected = str(status or "UNKNOWN").upper()
        assert parsed.failing_areas == [f"Account status {expected} (US)"]


def test_the_worst_marketplace_decides_and_each_is_named_by_its_code():
    document = report(
        {"marketplaceId": US},
        {"marketplaceId": UK, "lateShipmentRate": {"status": "BAD"}},
        {"marketplaceId": "A1PA6795UKMFR9"},
        statuses=[
            {"marketplaceId": US, "status": "NORMAL"},
            {"marketplaceId": UK, "status": "NORMAL"},
            {"marketplaceId": "A1PA6795UKMFR9", "status": "AT_RISK"},
            {"marketplaceId": "ZZNEW", "status": "NORMAL"},
        ],
    )
    parsed = parse_report(document)
    assert [m.code for m in parsed.marketplaces] == ["US", "UK", "DE", "ZZNEW"]
    assert [m.verdict for m in parsed.marketplaces] == [GOOD, FAIR, POOR, GOOD]
    assert parsed.verdict == POOR
    assert parsed.failing_areas == ["Late Shipment Rate (UK)", "Account status AT_RISK (DE)"]
    assert parse_report(report({"marketplaceId": US}, {"marketplaceId": UK,
                                "lateShipmentRate": {"status": "BAD"}})).verdict == FAIR  # fmt: skip


def test_a_metric_without_a_status_counts_as_none_not_bad():
    parsed = parse_report(report({"lateShipmentRate": {"rate": 0.5}}))
    [metric] = parsed.marketplaces[0].metrics
    assert (metric.status, metric.rate, metric.failing) == ("NONE", 0.5, False)
    assert (metric.condition, metric.target, metric.count) == ("", None, None)
    assert parsed.verdict == GOOD


def test_order_defects_are_read_per_fulfilment_channel():
    document = report({"orderDefectRate": {
        "mfn": {"status": "BAD", "rate": 0.02, "targetValue": 0.01},
        "afn": {"status": "GOOD", "rate": 0.001, "targetValue": 0.01},
    }})  # fmt: skip
    parsed = parse_report(document)
    [mfn, afn] = parsed.marketplaces[0].metrics
    assert mfn.key == afn.key == "orderDefectRate"
    assert (mfn.name, mfn.status, mfn.rate) == ("Order Defect Rate (seller-fulfilled)", "BAD", 0.02)
    assert (afn.name, afn.status, afn.rate) == (
        "Order Defect Rate (Amazon-fulfilled)",
        "GOOD",
        0.001,
    )
    assert parsed.failing_areas == ["Order Defect Rate (seller-fulfilled) (US)"]


def test_order_defects_for_one_channel_or_none_per_channel():
    only_afn = report({"orderDefectRate": {"afn": {"status": "BAD"}}})
    [afn] = parse_report(only_afn).marketplaces[0].metrics
    assert afn.name == "Order Defect Rate (Amazon-fulfilled)" and afn.failing
    only_mfn = report({"orderDefectRate": {"mfn": {"status": "BAD"}}})
    [mfn] = parse_report(only_mfn).marketplaces[0].metrics
    assert mfn.name == "Order Defect Rate (seller-fulfilled)" and mfn.failing
    afn_not_reported = report({"orderDefectRate": {"mfn": {"status": "GOOD"}, "afn": "n/a"}})
    [mfn] = parse_report(afn_not_reported).marketplaces[0].metrics
    assert mfn.name == "Order Defect Rate (seller-fulfilled)"
    whole = report({"orderDefectRate": {"status": "BAD", "rate": 0.03}})
    [metric] = parse_report(whole).marketplaces[0].metrics
    assert (metric.name, metric.rate) == ("Order Defect Rate", 0.03)
    assert parse_report(report({"orderDefectRate": "n/a"})).marketplaces[0].metrics == []


@pytest.mark.parametrize(
    ("rate", "read"),
    [(0.01, 0.01), (2, 2), ("0.25", 0.25), ({"value": 0.02}, 0.02), ({"value": "3"}, 3.0),
     ({"value": None}, None), ({}, None), (True, None), ("n/a", None), (None, None),
     ([0.1], None)],
)  # fmt: skip
def test_a_rate_is_read_from_a_number_a_string_or_a_value_object(rate, read):
    [metric] = parse_report(report({"lateShipmentRate": {"rate": rate}})).marketplaces[0].metrics
    assert metric.rate == read
    assert type(metric.rate) is type(read)


@pytest.mark.parametrize(
    ("value", "count"),
    [({"defectsCount": 3}, 3), ({"lateShipmentCount": 4}, 4),
     ({"defectsCount": 3, "lateShipmentCount": 4}, 3), ({"defectsCount": True}, None),
     ({"defectsCount": "3"}, None), ({"defectsCount": None}, None), ({}, None)],
)  # fmt: skip
def test_a_count_is_a_whole_number_or_nothing(value, count):
    [metric] = parse_report(report({"lateShipmentRate": value})).marketplaces[0].metrics
    assert metric.count == count


def test_a_metric_target_and_condition_are_kept_for_the_page():
    document = report(
        {"validTrackingRate": {"status": "good", "targetValue": "0.95", "targetCondition": "GT"}}
    )
    [metric] = parse_report(document).marketplaces[0].metrics
    assert metric == Metric("validTrackingRate", "Valid Tracking Rate", "GOOD", None, 0.95, "GT")


def test_unknown_fields_are_kept_and_a_failing_unknown_metric_is_a_failing_area():
    document = report({
        "brandNewMetric": {"status": "BAD", "rate": 0.2},
        "quietNewMetric": {"status": "GOOD"},
        "newFlag": True,
        "invoiceDefectRate": "not reported",
    }, somethingNew={"x": 1})  # fmt: skip
    parsed = parse_report(document)
    [us] = parsed.marketplaces
    assert us.unknown == {
        "brandNewMetric": {"status": "BAD", "rate": 0.2},
        "quietNewMetric": {"status": "GOOD"},
        "newFlag": True,
        "invoiceDefectRate": "not reported",
    }
    [metric] = us.metrics
    assert (metric.key, metric.name, metric.rate) == ("brandNewMetric", "brandNewMetric", 0.2)
    assert parsed.verdict == FAIR and parsed.failing_areas == ["brandNewMetric (US)"]
    assert parsed.problems == ["Field 'somethingNew' is not one the desk reads; kept."]


@pytest.mark.parametrize(
    ("document", "problems"),
    [
        ([], ["The report is not a JSON object."]),
        ("GOOD", ["The report is not a JSON object."]),
        ({}, ["The report has no account statuses.", "The report has no performance metrics."]),
        ({"accountStatuses": {}, "performanceMetrics": []}, ["The report has no account statuses."]),
        ({"accountStatuses": [], "performanceMetrics": None},
         ["The report has no performance metrics."]),
    ],
)  # fmt: skip
def test_a_document_of_the_wrong_shape_is_a_problem_with_nothing_to_judge(document, problems):
    parsed = parse_report(document)
    assert parsed.problems == problems
    assert parsed.marketplaces == [] and parsed.verdict is None and parsed.failing_areas == []


def test_entries_without_a_marketplace_are_skipped_or_kept_as_unknown():
    document = {
        "accountStatuses": ["NORMAL", {"status": "AT_RISK"}, {"marketplaceId": "", "status": "X"}],
        "performanceMetrics": ["not an entry", {"lateShipmentRate": {"status": "BAD"}}],
    }
    parsed = parse_report(document)
    [unknown] = parsed.marketplaces
    assert (unknown.marketplace_id, unknown.code, unknown.account_status) == (
        "UNKNOWN", "UNKNOWN", "UNKNOWN",
    )  # fmt: skip
    assert parsed.verdict == POOR
    assert parsed.failing_areas == [
        "Account status UNKNOWN (UNKNOWN)",
        "Late Shipment Rate (UNKNOWN)",
    ]


def test_a_marketplace_id_that_is_not_text_is_unknown_not_a_crash():
    document = {
        "accountStatuses": [{"marketplaceId": ["US"], "status": "NORMAL"}],
        "performanceMetrics": [
            {"marketplaceId": {"id": US}, "lateShipmentRate": {"status": "BAD"}}
        ],
    }
    [unknown] = parse_report(document).marketplaces
    assert (unknown.marketplace_id, unknown.account_status) == ("UNKNOWN", "UNKNOWN")


def test_a_marketplaces_status_and_metrics_in_separate_entries_are_joined():
    document = report(
        {"marketplaceId": UK, "lateShipmentRate": {"status": "BAD"}},
        statuses=[{"marketplaceId": UK, "status": "NORMAL"}],
    )
    [uk] = parse_report(document).marketplaces
    assert (uk.code, uk.account_status, uk.verdict) == ("UK", "NORMAL", FAIR)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip
area_keys = st.sampled_from(["orderDefectRate", "accountHealthRating", "warningStates",
                             "lateShipmentRate", "marketplaceId", "somethingElse"])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    document=st.one_of(
        json_values,
        st.fixed_dictionaries({
            "accountStatuses": st.lists(json_values | st.fixed_dictionaries(
                {"marketplaceId": st.text(max_size=5), "status": json_values}), max_size=3),
            "performanceMetrics": st.lists(
                json_values | st.dictionaries(area_keys, json_values, max_size=5), max_size=3),
        }),
    )
)  # fmt: skip
def test_any_document_is_read_without_raising(document):
    parsed = parse_report(document)
    assert parsed.verdict in (None, GOOD, FAIR, POOR)
    assert all(isinstance(area, str) for area in parsed.failing_areas)
