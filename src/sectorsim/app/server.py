"""Serving the workshop page: Solara's Starlette server behind a small guard.

- Beyond this machine (any ``--host`` that is not a loopback address) the room needs its room
  code: the link ``http://HOST:PORT/?room=CODE`` lets a browser in and leaves a cookie for the
  page's own requests; any request without the code or the cookie is refused (403).
- The facilitator has a code of their own, on loopback too: the link
  ``http://HOST:PORT/facilitator?room=FACILITATOR_CODE`` leaves the facilitator's cookie. The
  facilitator's page (``/facilitator``) is refused without it (403), whatever participant code
  comes with the request; the page itself checks the cookie again before it shows the
  facilitator's view (:func:`is_facilitator`), since its websocket is shared with participants.
- Every browser gets a participant token in a cookie (:func:`issue_token`, signed),
  so a reload keeps the participant's place in the room.
- The websocket of the page accepts only connections whose ``Origin`` is the page's own address,
  so another web site open in a participant's browser cannot drive a session.

Run as ``python -m sectorsim.app.server --host H --port P``; the codes come in the environment
variables ``SECTORSIM_ROOM_CODE`` and ``SECTORSIM_FACILITATOR_CODE`` (not on the command line,
where other users of the machine could read them).
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookies
import ipaddress
import os
import re
import secrets
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOM_PARAMETER = "room"
ROOM_COOKIE = "sectorsim_room"
FACILITATOR_COOKIE = "sectorsim_facilitator"
PARTICIPANT_COOKIE = "sectorsim_participant"
ROOM_CODE_ENV = "SECTORSIM_ROOM_CODE"
FACILITATOR_CODE_ENV = "SECTORSIM_FACILITATOR_CODE"
FACILITATOR_PATH = "/facilitator"
FACILITATOR_REFUSED = (
    b"The facilitator's page needs the facilitator's code: open the facilitator's link.\n"
    b"De pagina van de begeleider vraagt om de code van de begeleider: open diens link.\n"
)
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{6,64}")
REFUSED = (
    b"This workshop room needs its room code: open the link with ?room=... that the facilitator "
    b"gave.\nDeze workshopruimte vraagt om de ruimtecode: open de link met ?room=... die de "
    b"begeleider gaf.\n"
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on) is this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_code() -> str:
    return secrets.token_urlsafe(9)


def reachable_address(host: str) -> str:
    """An address of this machine that others can use for ``host`` (for the printed link):
    ``host`` itself, or for a wildcard (0.0.0.0, ::) this machine's outward address."""
    if host not in ("0.0.0.0", "::", ""):
        return f"[{host}]" if ":" in host else host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the interface
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


_SECRET = secrets.token_bytes(32)  # signs participant tokens; new with every server process


def _signature(nonce: str) -> str:
    return hmac.new(_SECRET, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def issue_token() -> str:
    """A new participant token: a random nonce and its signature."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_signature(nonce)}"


def valid_token(token: Any) -> bool:
    """Whether ``token`` is a participant token this server process issued."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 100:
        return False
    nonce, signature = token.split(".")
    return hmac.compare_digest(signature, _signature(nonce))


_FACILITATOR_CODE: str | None = None  # set by serve(); the page checks its cookie against it


def is_facilitator(cookies: dict[str, str] | None, code: str | None = None) -> bool:
    """Whether ``cookies`` (of a page's websocket) hold the facilitator's code."""
    code = code if code is not None else _FACILITATOR_CODE
    held = (cookies or {}).get(FACILITATOR_COOKIE)
    return bool(code) and isinstance(held, str) and secrets.compare_digest(held, code)


def _cookies(headers: dict[str, str]) -> dict[str, str] | None:
    cookie = http.cookies.SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except http.cookies.CookieError:
        return None
    return {name: morsel.value for name, morsel in cookie.items()}


def _matches(given: str | None, code: str | None) -> bool:
    return (
        given is not None
        and code is not None
        and secrets.compare_digest(given.encode(), code.encode())
    )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def same_origin(headers: dict[str, str]) -> bool:
    """A websocket's ``Origin`` is the address it was opened on (no Origin: not a browser)."""
    origin = headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return (
        parts.scheme in ("http", "https")
        and parts.netloc.lower() == headers.get("host", "").lower().strip()
    )


class RoomGuard:
    """ASGI middleware: the room code (when ``code`` is set), the facilitator's code for the
    facilitator's page (when ``facilitator`` is set; without it that page is refused), the
    participant token, and the websocket's origin."""

    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        code: str | None = None,
        facilitator: str | None = None,
    ):
        self.app, self.code, self.facilitator = app, code, facilitator

    def _access(self, scope: Scope, headers: dict[str, str]) -> tuple[bool, bool, list[str]]:
        """(may enter, may see the facilitator's page, cookies to set)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        cookies = _cookies(headers)
        if cookies is None:
            return False, False, []
        given = query.get(ROOM_PARAMETER, [])
        facilitator = any(_matches(g, self.facilitator) for g in given)
        participant = self.code is None or any(_matches(g, self.code) for g in given)
        to_set = []
        if facilitator:
            to_set.append(f"{FACILITATOR_COOKIE}={self.facilitator}")
        elif _matches(cookies.get(FACILITATOR_COOKIE), self.facilitator):
            facilitator = True
        if self.code is not None and any(_matches(g, self.code) for g in given):
            to_set.append(f"{ROOM_COOKIE}={self.code}")
        elif not participant and _matches(cookies.get(ROOM_COOKIE), self.code):
            participant = True
        if (participant or facilitator) and not valid_token(cookies.get(PARTICIPANT_COOKIE)):
            to_set.append(f"{PARTICIPANT_COOKIE}={issue_token()}")
        return participant or facilitator, facilitator, to_set

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        allowed, facilitator, to_set = self._access(scope, headers)
        if scope["type"] == "websocket":
            if allowed and same_origin(headers):
                await self.app(scope, receive, send)
            else:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
            return
        path = scope.get("path", "/").rstrip("/")
        if allowed and path == FACILITATOR_PATH and not facilitator:
            allowed, refusal = False, FACILITATOR_REFUSED
        else:
            refusal = REFUSED
        if not allowed:
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": refusal})
            return
        if not to_set:
            await self.app(scope, receive, send)
            return
        cookies = [
            (b"set-cookie", f"{value}; Path=/; HttpOnly; SameSite=Strict".encode())
            for value in to_set
        ]

        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *cookies]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def serve(host: str, port: int, code: str | None, facilitator: str | None = None) -> None:
    """Serve the workshop page with Solara (production mode, no calls home) behind RoomGuard."""
    global _FACILITATOR_CODE
    _FACILITATOR_CODE = facilitator
    os.environ["SOLARA_APP"] = "sectorsim.app.main"
    os.environ["SOLARA_MODE"] = "production"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import solara.server.starlette as web
    from solara.__main__ import cli

    web.app.add_middleware(RoomGuard, code=code, facilitator=facilitator)
    args = ["run", "sectorsim.app.main", "--host", host, "--port", str(port)]
    args += ["--production", "--no-open", "--no-check-version"]
    cli.main(args=args, prog_name="solara")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sectorsim.app.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    code = os.environ.pop(ROOM_CODE_ENV, None) or None
    facilitator = os.environ.pop(FACILITATOR_CODE_ENV, None) or None
    if code is None and not is_loopback(args.host):
        sys.exit("a room served beyond this machine needs a room code (sectorsim app prints it)")
    serve(args.host, args.port, code, facilitator)


if __name__ == "__main__":
    # run the imported module, not this copy of it: the page reads the facilitator's code and
    # checks participant tokens with the secret of ``sectorsim.app.server``
    from sectorsim.app.server import main as serve_main

    serve_main()
