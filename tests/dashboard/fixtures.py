import json
from pathlib import Path

import jsonschema
import pytest

from sellerdesk.devservers.spapi import SpApiStandIn

MODELS = Path(__file__).resolve().parents[2] / "amazon" / "spapi_models"
OPERATIONS = {  # operation: (model file, the success answer's definition)
    "searchOrders": ("orders_2026-01-01.json", "SearchOrdersResponse"),
    "getOrder": ("orders_2026-01-01.json", "GetOrderResponse"),
    "createReport": ("reports_2021-06-30.json", "CreateReportResponse"),
    "getReport": ("reports_2021-06-30.json", "Report"),
    "getReportDocument": ("reports_2021-06-30.json", "ReportDocument"),
}


def _model(name: str) -> dict:
    return json.loads((MODELS / name).read_text())


def validate_answer(operation: str, status: int, body) -> None:
    """An answer as Amazon's official model allows: the success shape, or its ErrorList."""
    model_file, success = OPERATIONS[operation]
    model = _model(model_file)
    definition = success if status < 300 else "ErrorList"
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def validate_health_document(document: dict) -> None:
    schema = _model("accountHealthReport-2020-11-18.json")
    jsonschema.validators.validator_for(schema)(schema).validate(document)


@pytest.fixture
def spapi(settings):
    from sp_api.auth import access_token_client

    access_token_client.cache.clear()
    with SpApiStandIn() as standin:
        settings.SPAPI_ENDPOINT = standin.base_url
        settings.SPAPI_TOKEN_URL = standin.base_url + "/auth/o2/token"
        settings.SPAPI_REFRESH_TOKEN = standin.refresh_token
        settings.SPAPI_LWA_APP_ID = standin.client_id
        settings.SPAPI_LWA_CLIENT_SECRET = standin.client_secret
        settings.SPAPI_MARKETPLACES = ["US"]
        settings.SPAPI_BACKOFF_SECONDS = 0.01
        settings.SPAPI_POLL_SECONDS = 0.01
        standin.off_schema = False  # a test that serves a document Amazon's schema refuses
        yield standin
        for operation, status, body in standin.answers:
            if operation == "document":
                if not standin.off_schema:
                    validate_health_document(body)
            else:
                validate_answer(operation, status, body)
    access_token_client.cache.clear()
