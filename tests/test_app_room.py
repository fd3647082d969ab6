"""The workshop room: a room code beyond this machine, and a websocket that checks its origin."""

import asyncio
import re
import socket
import urllib.error
import urllib.request

import pytest

from sectorsim.app.server import (
    FACILITATOR_COOKIE,
    PARTICIPANT_COOKIE,
    ROOM_COOKIE,
    RoomGuard,
    is_facilitator,
    is_loopback,
    issue_token,
)
from sectorsim.app.testing import running_app, running_room
from sectorsim.cli import main

CODE = "s3cret-code"
FACILITATOR = "f4cilitator-code"


async def _reached(scope):
    """Pass ``scope`` through a RoomGuard (code CODE) to an app that answers 200; return what
    the client got: ("reached" or the refusal, headers)."""
    sent = []

    async def app(scope, receive, send):
        if scope["type"] == "websocket":
            sent.append({"type": "reached"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    await RoomGuard(app, scope.pop("code", CODE), FACILITATOR)(scope, receive, send)
    return sent[0]


def reached(
    kind="http", query=b"", cookie=None, origin=None, host="room:8765", code=CODE, path="/"
):
    """What the client got: ("reached" or the refusal's status, {cookie name: set-cookie})."""
    headers = [(b"host", host.encode())]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    scope = {"type": kind, "path": path, "query_string": query, "headers": headers, "code": code}
    first = asyncio.run(_reached(scope))
    if first["type"] == "reached" or first.get("status") == 200:
        cookies = [v.decode() for k, v in first.get("headers", []) if k == b"set-cookie"]
        return "reached", {c.split("=", 1)[0]: c for c in cookies}
    return first.get("status") or first.get("code"), {}


def test_the_room_code_lets_a_browser_in_and_leaves_a_cookie():
    status, cookies = reached(query=b"room=" + CODE.encode())
    assert status == "reached"
    assert cookies[ROOM_COOKIE].startswith(f"{ROOM_COOKIE}={CODE};")
    for cookie in cookies.values():
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert reached(cookie=f"{ROOM_COOKIE}={CODE}")[0] == "reached"


def test_every_browser_gets_a_participant_token_that_it_keeps():
    _, cookies = reached(cookie=f"{ROOM_COOKIE}={CODE}")
    token = cookies[PARTICIPANT_COOKIE].split(";")[0].split("=", 1)[1]
    _, again = reached(cookie=f"{ROOM_COOKIE}={CODE}; {PARTICIPANT_COOKIE}={token}")
    assert again == {}  # a reload keeps its token
    _, made_up = reached(cookie=f"{ROOM_COOKIE}={CODE}; {PARTICIPANT_COOKIE}=me.0123")
    assert PARTICIPANT_COOKIE in made_up and "me.0123" not in made_up[PARTICIPANT_COOKIE]
    assert reached(cookie=f"{PARTICIPANT_COOKIE}={issue_token()}")[0] == 403  # not a room code


@pytest.mark.parametrize("code", [CODE, None])
def test_the_facilitators_page_needs_the_facilitators_code(code):
    participant = f"{ROOM_COOKIE}={CODE}"
    for query, cookie in [(b"room=" + CODE.encode(), None), (b"", participant), (b"", None)]:
        assert reached(path="/facilitator", query=query, cookie=cookie, code=code)[0] == 403
    status, cookies = reached(path="/facilitator", query=b"room=" + FACILITATOR.encode(), code=code)
    assert status == "reached"
    assert cookies[FACILITATOR_COOKIE].startswith(f"{FACILITATOR_COOKIE}={FACILITATOR};")
    held = f"{FACILITATOR_COOKIE}={FACILITATOR}"
    assert reached(path="/facilitator/", cookie=held, code=code)[0] == "reached"
    assert reached(path="/static/x.js", cookie=held, code=code)[0] == "reached"
    ws = reached("websocket", cookie=held, origin="http://room:8765", code=code)
    assert ws[0] == "reached"
    wrong = f"{FACILITATOR_COOKIE}={FACILITATOR[:-1]}"
    assert reached(path="/facilitator", cookie=wrong, code=code)[0] == 403


def test_the_page_checks_the_facilitators_cookie_itself():
    assert is_facilitator({FACILITATOR_COOKIE: FACILITATOR}, FACILITATOR)
    for cookies in [None, {}, {FACILITATOR_COOKIE: CODE}, {ROOM_COOKIE: FACILITATOR}]:
        assert not is_facilitator(cookies, FACILITATOR)
    assert not is_facilitator({FACILITATOR_COOKIE: ""}, "")


@pytest.mark.parametrize(
    "query,cookie",
    [
        (b"", None),
        (b"room=wrong", None),
        (b"room=", None),
        (b"room=" + CODE[:-1].encode(), None),
        (b"", f"{ROOM_COOKIE}=wrong"),
        (b"", 'bad"cookie'),
    ],
)
def test_requests_without_the_code_are_refused(query, cookie):
    assert reached(query=query, cookie=cookie)[0] == 403
    assert reached("websocket", query=query, cookie=cookie, origin="http://room:8765")[0] == 1008


@pytest.mark.parametrize(
    "origin,allowed",
    [
        ("http://room:8765", True),
        ("http://ROOM:8765", True),
        (None, True),  # not a browser
        ("http://evil.example", False),
        ("http://room:8766", False),
        ("http://room.evil.example:8765", False),
        ("null", False),
        ("file://room:8765", False),
    ],
)
@pytest.mark.parametrize("code", [CODE, None])
def test_the_websocket_checks_its_origin(origin, allowed, code):
    cookie = f"{ROOM_COOKIE}={CODE}"
    got = reached("websocket", cookie=cookie, origin=origin, code=code)[0]
    assert got == ("reached" if allowed else 1008)


def test_on_this_machine_no_code_is_needed():
    assert reached(code=None)[0] == "reached"
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.1.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org"))


def test_a_bad_room_code_or_port_is_refused(capsys):
    assert main(["app", "--room", "a b"]) == 2
    assert main(["app", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert "--room" in err and "--port" in err and "Traceback" not in err


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def websocket_status(port: int, origin: str, cookie: str = "") -> int:
    """The HTTP status a websocket upgrade to the page's kernel channel gets."""
    request = (
        f"GET /jupyter/api/kernels/k/channels?session_id=s HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode())
        return int(conn.recv(1024).split()[1])


def test_a_room_beyond_localhost_needs_its_code():
    with running_room(host="0.0.0.0") as links:
        url = links.participant
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?room=([\w-]+)", url)
        assert match, url
        port, code = int(match.group(1)), match.group(2)
        assert status_of(url) == 200
        assert status_of(links.facilitator) == 200
        assert status_of(f"http://127.0.0.1:{port}/facilitator?room={code}") == 403
        assert status_of(f"http://127.0.0.1:{port}/") == 403
        assert status_of(f"http://127.0.0.1:{port}/?room=x{code}") == 403
        assert status_of(f"http://127.0.0.1:{port}/static/assets/x.js") == 403
        cookie = f"{ROOM_COOKIE}={code}"
        assert websocket_status(port, "http://evil.example", cookie) == 403
        assert websocket_status(port, f"http://127.0.0.1:{port}") == 403  # no code


def test_on_localhost_the_room_is_open_but_the_websocket_checks_its_origin():
    with running_app() as url:
        assert "room=" not in url and status_of(url) == 200
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert websocket_status(port, "http://evil.example") == 403


def test_a_port_in_use_or_an_address_elsewhere_is_refused_before_serving(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["app", "--port", str(taken.getsockname()[1])]) == 2
    assert main(["app", "--host", "192.0.2.1"]) == 2  # an address of another machine
    err = capsys.readouterr().err
    assert err.count("cannot listen there") == 2 and "Traceback" not in err
