"""Row 9 of the hostile-network issue, HTTP/1.1 half: connections that go silent or send a
request too slowly are closed by `idle_timeout` and `request_timeout` — a silent keep-alive
connection without a word, a request still being read with a 408 — and holding many of them
costs neither other clients nor memory."""

import time

import pytest
from adversary import HealthProbe, iris_config
from raw_http import MIB, RawConnection, get

IDLE = 2.0
REQUEST = 3.0
CONNECTIONS = 50


@pytest.fixture
def timed_server(launch, repo_root):
    return launch(iris_config(repo_root, server=f'idle_timeout = "{IDLE:g}s"\nrequest_timeout = "{REQUEST:g}s"'))


def partial_head(conn, step):
    if step == 0:
        conn.send(b"GET /health HTTP/1.1\r\nHost: t\r\n")


def declared_1000_sent_1(conn, step):
    if step == 0:
        conn.send(b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n{")


def chunked_never_ends(conn, step):
    if step == 0:
        conn.send(b"POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")


def body_one_byte_at_a_time(conn, step):
    if step == 0:
        conn.send(b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
    conn.try_send(b" ")


def head_one_byte_at_a_time(conn, step):
    line = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200
    if step < len(line):
        conn.try_send(line[step : step + 1])


ATTACKS = [partial_head, declared_1000_sent_1, chunked_never_ends, body_one_byte_at_a_time, head_one_byte_at_a_time]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_a_request_read_too_slowly_gets_408_at_the_request_timeout(timed_server, attack):
    server = timed_server
    server.assert_serving()
    rss_before = server.rss()
    with HealthProbe(server.port) as probe:
        connections = [RawConnection(server.port).start_reading() for _ in range(CONNECTIONS)]
        started = time.monotonic()
        step = 0
        # Keep the attack going (a byte every 0.25 s for the slow ones) until every connection ended.
        while time.monotonic() - started < REQUEST + 4 and any(c.outcome.ended_at is None for c in connections):
            for conn in connections:
                if conn.outcome.ended_at is None:
                    attack(conn, step)
            step += 1
            time.sleep(0.25)
        outcomes = [c.wait_closed(1) for c in connections]
        for conn in connections:
            conn.close()
    for outcome in outcomes:
        assert outcome.statuses == [408], outcome
        assert b"request_timeout (3s)" in outcome.responses[0].body
        assert outcome.responses[0].closes
        assert outcome.ended_by == "eof", outcome
        elapsed = outcome.ended_at - started
        assert REQUEST - 0.5 <= elapsed <= REQUEST + 2.5, f"closed after {elapsed:.2f}s"
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 16 * MIB


def test_a_silent_keep_alive_connection_is_closed_at_the_idle_timeout(timed_server):
    server = timed_server
    rss_before = server.rss()
    with HealthProbe(server.port) as probe:
        connections = [RawConnection(server.port).start_reading() for _ in range(CONNECTIONS)]
        for conn in connections:
            conn.send(get("/health"))
        answered = time.monotonic()
        outcomes = [c.wait_closed(IDLE + 4) for c in connections]
        for conn in connections:
            conn.close()
    for outcome in outcomes:
        assert outcome.statuses == [200], outcome
        assert outcome.ended_by == "eof", outcome
        elapsed = outcome.ended_at - answered
        assert IDLE - 0.5 <= elapsed <= IDLE + 2.0, f"closed after {elapsed:.2f}s"
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 16 * MIB


def test_a_connection_kept_busy_is_not_closed_by_the_idle_timeout(timed_server):
    """Requests every second for three idle timeouts: the connection stays open throughout."""
    with RawConnection(timed_server.port).start_reading() as conn:
        for i in range(int(3 * IDLE)):
            conn.send(get("/health"))
            assert len(conn.wait_responses(i + 1, 5)) == i + 1
            time.sleep(1.0)
        assert conn.outcome.ended_by == "open"
        assert conn.outcome.statuses == [200] * int(3 * IDLE)
