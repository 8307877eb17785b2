"""A local stand-in for Twilio's Messages API (2010-04-01), answering as Twilio does.

Sending (`POST .../Messages.json`) checks Basic auth and the fields, answers 201 with the
message resource, or Twilio's error body (`{"code": 21211, ...}`) for a bad number; listing
(`GET .../Messages.json`) filters by To, From and DateSent> and pages like Twilio. It can
be told to misbehave: `fail_next()` for one call, or `flaky_every=n` to fail every n-th
send, alternating a 500 (nothing accepted) and a hang after accepting (the worst case: the
text went out but the client never hears so).
"""

import base64
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote

from sellerdesk.devservers.standin import Request, Response, StandIn

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _error(status: int, code: int | None, message: str) -> Response:
    return Response(status, {
        "code": code, "message": message, "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}" if code else None,
    })  # fmt: skip


class TwilioStandIn(StandIn):
    def __init__(self, account_sid: str, auth_token: str, *, port: int = 0,
                 flaky_every: int = 0, hang_seconds: float = 3.0):  # fmt: skip
        super().__init__(port)
        self.account_sid, self.auth_token = account_sid, auth_token
        self.flaky_every, self.hang_seconds = flaky_every, hang_seconds
        self.accepted: list[dict] = []
        self.sends = 0
        self._send_lock = threading.Lock()

    def route(self, request: Request) -> Response:
        match = MESSAGES.match(request.path)
        if not match:
            return _error(404, 20404, "The requested resource was not found")
        if not self._authorised(request) or match["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if request.method == "POST":
            return self._create(request)
        if request.method == "GET":
            return self._list(request)
        return _error(405, 20004, "Method not allowed")

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token

    def _create(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items()}
        to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        with self._send_lock:
            self.sends += 1
            turn = self.sends
        fault = None
        if self.flaky_every and turn % self.flaky_every == 0:
            fault = "error" if (turn // self.flaky_every) % 2 else "hang"
        if fault == "error":
            return _error(500, 20500, "Internal Server Error")
        message = self._message(to, sender, body, form.get("StatusCallback", ""))
        with self._send_lock:
            self.accepted.append(message)
        if fault == "hang":
            time.sleep(self.hang_seconds)
        return Response(201, message)

    def _message(self, to: str, sender: str, body: str, callback: str) -> dict:
        sid = "SM" + uuid.uuid4().hex
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages"
        now = datetime.now(UTC)
        gsm = all(ord(ch) < 128 for ch in body)
        segments = 1 if len(body) <= (160 if gsm else 70) else -(-len(body) // (153 if gsm else 67))
        return {
            "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
            "to": to, "from": sender, "body": body, "status": "queued",
            "num_segments": str(segments), "num_media": "0", "direction": "outbound-api",
            "date_created": format_datetime(now), "date_updated": format_datetime(now),
            "date_sent": None, "price": None, "price_unit": "USD", "error_code": None,
            "error_message": None, "messaging_service_sid": None,
            "uri": f"{base}/{sid}.json",
            "subresource_uris": {"media": f"{base}/{sid}/Media.json"},
            "_created": now.timestamp(), "_callback": callback,
        }  # fmt: skip

    def _list(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        after = query.get("DateSent>")
        since = datetime.fromisoformat(after.replace("Z", "+00:00")).timestamp() if after else 0
        with self._send_lock:
            found = [
                m for m in reversed(self.accepted)
                if (not query.get("To") or m["to"] == query["To"])
                and (not query.get("From") or m["from"] == query["From"])
                and m["_created"] >= since
            ]  # fmt: skip
        size = min(int(query.get("PageSize", 50)), 1000)
        number = int(query.get("Page", 0))
        rows = found[number * size : (number + 1) * size]
        page = [{k: v for k, v in m.items() if not k.startswith("_")} for m in rows]
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        filters = "".join(
            f"&{k}={quote(v)}"
            for k, v in query.items()
            if k not in ("Page", "PageSize", "PageToken")
        )
        more = (number + 1) * size < len(found)
        return Response(200, {
            "messages": page, "page": number, "page_size": size, "start": number * size,
            "end": number * size + len(page) - 1,
            "first_page_uri": f"{uri}?PageSize={size}&Page=0{filters}",
            "next_page_uri": (f"{uri}?PageSize={size}&Page={number + 1}"
                              f"&PageToken=PASM{number + 1}{filters}") if more else None,
            "previous_page_uri": None, "uri": f"{uri}?PageSize={size}&Page={number}{filters}",
        })  # fmt: skip
