"""The HTTP/1.1 families that already held when the hostile-network issue was filed, kept holding:
request-smuggling shapes (a second request hidden in a body must never be answered), header,
path and method abuse. Each case asserts the exact statuses answered, that an error ends the
connection cleanly, that other clients were served meanwhile, and that memory returned."""

import pytest
from adversary import AdversaryServer, HealthProbe, iris_config
from raw_http import MIB, exchange, get

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"
BODY = b'{"features":[5.1,3.5,1.4,0.2]}'


def request(head: str, body: bytes = b"") -> bytes:
    return head.replace("\n", "\r\n").encode() + b"\r\n" + body


# (name, bytes sent, statuses answered in order). A smuggled request that was answered would add
# a 404 naming /smuggled; every case that ends in an error ends the stream after it.
CASES = [
    (
        "content-length and transfer-encoding",
        request("POST /predict HTTP/1.1\nHost: t\nContent-Length: 4\nTransfer-Encoding: chunked\n", b"0\r\n\r\n")
        + SMUGGLED,
        [400],
    ),
    (
        "two different content-lengths",
        request("POST /predict HTTP/1.1\nHost: t\nContent-Length: 3\nContent-Length: 40\n", b"{}}" + SMUGGLED),
        [400],
    ),
    ("signed content-length", request("POST /predict HTTP/1.1\nHost: t\nContent-Length: +5\n", b"{}   "), [400]),
    ("negative content-length", request("POST /predict HTTP/1.1\nHost: t\nContent-Length: -1\n"), [400]),
    (
        "transfer-encoding not ending in chunked",
        request("POST /predict HTTP/1.1\nHost: t\nTransfer-Encoding: chunked, identity\n", b"0\r\n\r\n") + SMUGGLED,
        [400],
    ),
    (
        "obfuscated transfer-encoding",
        request("POST /predict HTTP/1.1\nHost: t\nTransfer-Encoding: xchunked\n", b"0\r\n\r\n") + SMUGGLED,
        [400],
    ),
    (
        "space before the colon",
        request("POST /predict HTTP/1.1\nHost: t\nContent-Length : 30\n", BODY) + SMUGGLED,
        [400],
    ),
    (
        "chunk size overflowing 64 bits",
        request("POST /predict HTTP/1.1\nHost: t\nTransfer-Encoding: chunked\n", b"fffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
        [400],
    ),
    (
        "chunked body smuggling a request in its terminator",
        request("POST /predict HTTP/1.1\nHost: t\nTransfer-Encoding: chunked\n", b"1e\r\n" + BODY + b"\r\n0\r\n\r\n")
        + SMUGGLED,
        [200, 404],
    ),
    ("NUL in a header value", request("GET /health HTTP/1.1\nHost: t\nX-A: a\x00b\n"), [400]),
    ("unknown method", request("BREW /health HTTP/1.1\nHost: t\n"), [400]),
    ("HTTP/2.0 in a request line", request("GET /health HTTP/2.0\nHost: t\n"), [400]),
    ("HTTP/0.9 request line", b"GET /health\r\n\r\n", [400]),
    ("request line without a path", request("GET  HTTP/1.1\nHost: t\n"), [400]),
    ("absolute-form target", request("GET http://evil.example/health HTTP/1.1\nHost: t\n"), [404]),
    ("path traversal", request("GET /../../etc/passwd HTTP/1.1\nHost: t\n"), [404]),
    ("encoded NUL in the path", request("GET /health%00.json HTTP/1.1\nHost: t\n"), [404]),
    ("DELETE on /predict", request("DELETE /predict HTTP/1.1\nHost: t\n"), [405]),
    ("TRACE", request("TRACE /health HTTP/1.1\nHost: t\n"), [405]),
    ("20 KB path", request(f"GET /{'a' * 20_000} HTTP/1.1\nHost: t\n"), [431]),
    ("5 000 headers", request("GET /health HTTP/1.1\nHost: t\n" + "X-A: b\n" * 5000), [431]),
    ("one 20 KB header", request(f"GET /health HTTP/1.1\nHost: t\nX-A: {'b' * 20_000}\n"), [431]),
    (
        "a declared body over the limit is refused before it is sent",
        request("POST /predict HTTP/1.1\nHost: t\nExpect: 100-continue\nContent-Length: 99999999\n"),
        [413],
    ),
    (
        "CONNECT is answered and ends the connection",
        request("CONNECT evil.example:443 HTTP/1.1\nHost: evil.example:443\n") + SMUGGLED,
        [404],
    ),
    (
        "an upgrade is answered and ends the connection",
        request("GET /health HTTP/1.1\nHost: t\nConnection: Upgrade\nUpgrade: websocket\n") + SMUGGLED,
        [200],
    ),
]


@pytest.fixture(scope="module")
def shared_server(bin_dir, repo_root):
    server = AdversaryServer(bin_dir, iris_config(repo_root, server='idle_timeout = "5s"\nrequest_timeout = "5s"'))
    yield server
    server.stop()


@pytest.mark.parametrize("name, data, statuses", CASES, ids=[c[0] for c in CASES])
def test_abuse_gets_its_status_and_nothing_smuggled_is_answered(shared_server, name, data, statuses):
    server = shared_server
    rss_before = server.rss()
    with HealthProbe(server.port) as probe:
        outcome = exchange(server.port, data, timeout=8)
    # Exact statuses: a smuggled request that was answered would add a 404 naming /smuggled.
    assert outcome.statuses == statuses, outcome.responses
    for response in outcome.responses:
        assert response.headers["content-type"].startswith("application/json")
    if statuses[-1] in (400, 413, 431):
        assert outcome.responses[-1].closes
    assert outcome.ended_by == "eof", outcome.ended_by
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 16 * MIB


def test_keep_alive_survives_client_errors_but_not_protocol_errors(shared_server):
    """A 404 or 405 is the client's mistake on a sound stream: the connection stays usable."""
    outcome = exchange(shared_server.port, get("/nope") + request("DELETE /predict HTTP/1.1\nHost: t\n") + get("/health"))
    assert outcome.statuses == [404, 405, 200]
