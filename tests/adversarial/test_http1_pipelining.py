"""Rows 8 and 14 of the hostile-network issue: a client that pipelines without reading gets
back-pressure, not a server that buffers every answer (300 000 pipelined GET /metrics took RSS
from 34 to 505 MB and kept it); and a pipelining client whose stream turns to garbage reads
every answer before it, then the 400, then the end of the stream — never a reset."""

import socket
import time

import pytest
from adversary import HealthProbe, iris_config
from raw_http import MIB, RawConnection, get

REQUEST_TIMEOUT = 3.0
GARBAGE = b"\x01\x02garbage\r\n\r\n"


@pytest.mark.parametrize("reads_while_sending", [True, False], ids=["reading", "sends-first"])
def test_pipelined_requests_then_garbage_get_every_answer_then_the_400(server, reads_while_sending):
    before = 500 * get("/health")
    after = 499 * get("/health")
    for attempt in range(5):
        conn = RawConnection(server.port)
        if reads_while_sending:
            conn.start_reading()
        conn.send(before + GARBAGE + after)
        if not reads_while_sending:
            conn.start_reading()
        outcome = conn.wait_closed(20)
        conn.close()
        assert outcome.ended_by == "eof", f"attempt {attempt}: {outcome.ended_by} after {len(outcome.responses)} answers"
        assert outcome.statuses == [200] * 500 + [400], f"attempt {attempt}: {len(outcome.responses)} answers, last {outcome.statuses[-3:]}"
        last = outcome.responses[-1]
        assert b"malformed HTTP request" in last.body and last.closes
    server.assert_serving()


def test_a_client_that_never_reads_stops_being_read_and_is_closed(launch, repo_root):
    server = launch(iris_config(repo_root, server=f'request_timeout = "{REQUEST_TIMEOUT:g}s"'))
    server.assert_serving()
    rss_before = server.rss()
    request = get("/metrics")
    payload = request * 300_000
    # Small client buffers, so that what the kernels absorb (MBs by default) does not hide
    # whether the server itself stopped reading.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sock.connect(("127.0.0.1", server.port))
    sock.setblocking(False)
    sent = 0
    peak = rss_before
    with HealthProbe(server.port) as probe:
        started = time.monotonic()
        ended = None
        while time.monotonic() - started < REQUEST_TIMEOUT + 5:
            try:
                if sent < len(payload):
                    sent += sock.send(payload[sent : sent + (1 << 16)])
                else:
                    time.sleep(0.05)
            except BlockingIOError:
                time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                ended = time.monotonic()
                break
            peak = max(peak, server.rss())
        sock.close()
    taken = sent // len(request)
    print(f"requests taken {taken}, RSS {rss_before / MIB:.1f} → peak {peak / MIB:.1f} MiB, "
          f"closed after {ended and ended - started}")
    # Without back-pressure the server reads all 300 000 (and answers them into memory).
    assert taken < 50_000, f"the server kept reading: {taken} requests taken"
    assert ended is not None, "the connection was not closed"
    assert ended - started <= REQUEST_TIMEOUT + 3
    assert peak - rss_before < 24 * MIB, f"RSS grew by {(peak - rss_before) / MIB:.1f} MiB"
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 16 * MIB
