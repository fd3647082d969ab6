"""Serving the workshop page: Solara's Starlette server behind a small guard.

- Beyond this machine (any ``--host`` that is not a loopback address) the room needs its room
  code: the link ``http://HOST:PORT/?room=CODE`` lets a browser in and leaves a cookie for the
  page's own requests; any request without the code or the cookie is refused (403).
- The websocket of the page accepts only connections whose ``Origin`` is the page's own address,
  so another web site open in a participant's browser cannot drive a session.

Run as ``python -m sectorsim.app.server --host H --port P``; the room code, if any, comes in
the environment variable ``SECTORSIM_ROOM_CODE`` (not on the command line, where other users
of the machine could read it).
"""

from __future__ import annotations

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
ROOM_CODE_ENV = "SECTORSIM_ROOM_CODE"
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
    """ASGI middleware: the room code (when ``code`` is set) and the websocket's origin."""

    def __init__(self, app: Callable[..., Awaitable[None]], code: str | None = None):
        self.app, self.code = app, code

    def _code_in(self, scope: Scope, headers: dict[str, str]) -> tuple[bool, bool]:
        """(the request has the code, it came in the query rather than the cookie)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for given in query.get(ROOM_PARAMETER, []):
            if secrets.compare_digest(given.encode(), self.code.encode()):
                return True, True
        cookie = http.cookies.SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except http.cookies.CookieError:
            return False, False
        morsel = cookie.get(ROOM_COOKIE)
        held = morsel is not None and secrets.compare_digest(
            morsel.value.encode(), self.code.encode()
        )
        return held, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        allowed, from_query = (True, False) if self.code is None else self._code_in(scope, headers)
        if scope["type"] == "websocket":
            if allowed and same_origin(headers):
                await self.app(scope, receive, send)
            else:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
            return
        if not allowed:
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": REFUSED})
            return
        if not from_query:
            await self.app(scope, receive, send)
            return
        cookie = f"{ROOM_COOKIE}={self.code}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def serve(host: str, port: int, code: str | None) -> None:
    """Serve the workshop page with Solara (production mode, no calls home) behind RoomGuard."""
    os.environ["SOLARA_APP"] = "sectorsim.app.page"
    os.environ["SOLARA_MODE"] = "production"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import solara.server.starlette as web
    from solara.__main__ import cli

    web.app.add_middleware(RoomGuard, code=code)
    args = ["run", "sectorsim.app.page", "--host", host, "--port", str(port)]
    args += ["--production", "--no-open", "--no-check-version"]
    cli.main(args=args, prog_name="solara")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sectorsim.app.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    code = os.environ.pop(ROOM_CODE_ENV, None) or None
    if code is None and not is_loopback(args.host):
        sys.exit("a room served beyond this machine needs a room code (sectorsim app prints it)")
    serve(args.host, args.port, code)


if __name__ == "__main__":
    main()
