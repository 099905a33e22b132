"""Row 9 of the hostile-network issue, HTTP/1.1 half: connections that go silent or send a
request too slowly are closed by `idle_timeout` and `request_timeout` — a silent keep-alive
connection without a word, a request still being read with a 408 — and holding many of them
costs neither other clients nor memory."""

import json
import re
import struct
import threading
import time

import pytest
from adversary import HealthProbe, iris_config
from process_support import wait_until
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


def test_an_answer_that_outlives_the_request_timeout_is_a_503_charged_to_the_slot(launch, repo_root):
    """Four 50 000-row wine batches at once (binary tensors, so reading them costs next to nothing
    and the time goes to the model) on a 300 ms request timeout: the thread pool (one thread per
    core) cannot answer them all in time (each takes about 0.2 s in a release build, 4 s in a
    debug one). Each late one gets a 503 at its deadline, counted as a
    server error of the slot when its model was running; the others get their predictions; the
    server serves on, and RSS returns."""
    models = repo_root / "models" / "wine"
    config = (
        f'[server]\nmodel_name = "wine"\nmax_body_bytes = {8 << 20}\nrequest_timeout = "300ms"\n\n'
        f'[slots.blue]\nmodel = "{models}/v1.1.0/model.onnx"\n\n[traffic]\nblue = 1\n\n'
        "[prediction_log]\nsample = 1\n"
    )
    server = launch(config)
    rows = 50_000
    row = struct.pack("<13f", 13.0, 2.0, 2.4, 19.0, 100.0, 2.5, 2.5, 0.3, 1.6, 5.0, 1.0, 3.0, 1000.0)
    header = json.dumps(
        {"inputs": [{"name": "X", "shape": [rows, 13], "datatype": "FP32", "parameters": {"binary_data_size": 52 * rows}}]}
    ).encode()
    body = header + row * rows
    headers = {"Inference-Header-Content-Length": str(len(header))}
    rss_before = server.rss()
    answers = []

    def send():
        answers.append(server.request("POST", "/v2/models/wine/infer", body, headers, timeout=120))

    with HealthProbe(server.port) as probe:
        senders = [threading.Thread(target=send) for _ in range(4)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(150)
    statuses = sorted(status for status, _ in answers)
    assert len(statuses) == 4 and set(statuses) <= {200, 503}, statuses
    late = statuses.count(503)
    assert late >= 1, "every batch finished within 300 ms: the test needs heavier batches on this machine"
    for status, text in answers:
        if status == 503:
            assert b"not answered within request_timeout (300ms)" in text
    _, metrics = server.request("GET", "/metrics")
    errors = re.search(rb'predict_errors_total\{[^}]*endpoint="infer"[^}]*slot="blue"[^}]*\} (\d+)', metrics)
    errors = errors or re.search(rb'predict_errors_total\{[^}]*slot="blue"[^}]*endpoint="infer"[^}]*\} (\d+)', metrics)
    # A late batch counts against the slot if its model was running at the deadline; one still
    # waiting for a worker thread does not (the server was busy, not the model).
    assert errors and 1 <= int(errors.group(1)) <= late, [l for l in metrics.decode().splitlines() if "errors" in l]
    probe.assert_responsive(bound=1.0)
    # The late work runs to its end on the pool; the server keeps serving meanwhile and after.
    wait_until(lambda: server.rss() - rss_before < 64 * MIB, 120, "RSS back near its start")
    server.assert_running()
    assert server.request("GET", "/health")[0] == 200
    one = header.replace(str(rows).encode() + b", 13", b"1, 13").replace(str(52 * rows).encode(), b"52")
    assert server.request("POST", "/v2/models/wine/infer", one + row, {"Inference-Header-Content-Length": str(len(one))})[0] == 200
    # The prediction log holds the batches that were answered, not the late ones the clients
    # got a 503 for.
    log = server.state / "predictions.jsonl"
    wait_until(lambda: log.exists() and any(json.loads(l)["rows"] == 1 for l in log.read_text().splitlines()), 10, "the last line")
    batches = [json.loads(l) for l in log.read_text().splitlines() if json.loads(l)["rows"] == rows]
    assert len(batches) == statuses.count(200), (len(batches), statuses)
