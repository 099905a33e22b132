"""HTTP/2 abuse against the gRPC path (the hostile-network issue, row 9's HTTP/2 half and the
families that already held): rapid reset, CONTINUATION, HPACK, SETTINGS and PING floods, window
overflow, empty DATA, garbage after the preface, silent and half-preface connections. Each attack
runs against the server as the service user under an address-space limit, loopback only and
bounded; each asserts what the attacker got, that the server still serves, that /health answered
quickly throughout, and that RSS came back near where it started."""

import socket
import struct
import time

import hpack
import pytest

from adversary import HealthProbe, iris_config
from h2_support import (
    ACK, CONTINUATION, DATA, END_HEADERS, END_STREAM, GOAWAY, HEADERS, PING, PREDICT, PREFACE, RST_STREAM,
    SETTINGS, WINDOW_UPDATE, frame, frame_types, grpc_frame, grpc_headers, predict_message, read_until_closed,
)

MIB = 1 << 20
ENHANCE_YOUR_CALM, FLOW_CONTROL_ERROR, PROTOCOL_ERROR, COMPRESSION_ERROR = 0xB, 0x3, 0x1, 0x9


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
    return sock


def headers_block(path=PREDICT, extra=()) -> bytes:
    return hpack.Encoder().encode(grpc_headers(path, extra))


def attack(server, send, expect_goaway: int | None, probe_bound: float = 1.0, rss_slack: int = 64 * MIB):
    """Runs `send(sock)` on a fresh connection while /health is probed; checks the connection ended
    with GOAWAY `expect_goaway` (None: no expectation), then that the server serves and RSS is back."""
    before = server.rss()
    with HealthProbe(server.port) as probe:
        sock = connect(server)
        try:
            send(sock)
        except OSError:
            pass  # the server may close while we are still sending
        received = read_until_closed(sock, timeout=20)
        sock.close()
    if expect_goaway is not None:
        assert (GOAWAY, expect_goaway) in frame_types(received), (
            f"no GOAWAY {expect_goaway:#x} in {frame_types(received)[:20]}"
        )
    probe.assert_responsive(probe_bound)
    server.assert_serving()
    assert server.rss() < before + rss_slack, f"RSS grew from {before >> 20} to {server.rss() >> 20} MiB"
    return received


def test_rapid_reset(server):
    """Thousands of streams opened and reset at once (CVE-2023-44487): cut off after 200 resets."""

    def send(sock):
        block = headers_block()
        burst = b"".join(
            frame(HEADERS, END_HEADERS, stream, block) + frame(RST_STREAM, 0, stream, struct.pack(">I", 8))
            for stream in range(1, 2 * 5000, 2)
        )
        sock.sendall(burst)

    attack(server, send, ENHANCE_YOUR_CALM)


def test_continuation_flood(server):
    """A header block that never ends: CONTINUATION after CONTINUATION."""

    def send(sock):
        block = headers_block()
        sock.sendall(frame(HEADERS, 0, 1, block[:10]))
        filler = frame(CONTINUATION, 0, 1, b"\x40\x01a\x01b")  # literal header a: b, no END_HEADERS
        for _ in range(50):
            sock.sendall(filler * 200)

    received = attack(server, send, None)
    assert any(kind == GOAWAY for kind, _ in frame_types(received))


def test_header_list_over_the_limit(server):
    """A 200 KB header list (limit: max_header_bytes, 16 KiB): refused, the connection survives or
    ends cleanly; nothing is buffered beyond the limit."""

    def send(sock):
        encoder = hpack.Encoder()
        block = encoder.encode(grpc_headers(PREDICT, [("x-big", "v" * 200_000)]))
        chunks = [block[i: i + 16_000] for i in range(0, len(block), 16_000)]
        sock.sendall(frame(HEADERS, END_HEADERS if len(chunks) == 1 else 0, 1, chunks[0]))
        for index, chunk in enumerate(chunks[1:], start=1):
            sock.sendall(frame(CONTINUATION, END_HEADERS if index == len(chunks) - 1 else 0, 1, chunk))

    received = attack(server, send, None)
    kinds = frame_types(received)
    assert any(kind in (GOAWAY, RST_STREAM) for kind, _ in kinds), kinds[:20]
    assert not any(kind == HEADERS for kind, _ in kinds), "the oversized request was not answered"


def test_hpack_table_size_beyond_settings(server):
    """A dynamic table size update above what the server allows is a COMPRESSION_ERROR."""

    def send(sock):
        oversized_update = b"\x3f\xe1\xff\x03"  # dynamic table size update to 65 536 (> 4 096)
        sock.sendall(frame(HEADERS, END_HEADERS, 1, oversized_update + headers_block()))

    attack(server, send, COMPRESSION_ERROR)


@pytest.mark.parametrize(
    "name, flood",
    [
        ("SETTINGS", frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 65535))),
        ("PING", frame(PING, 0, 0, b"12345678")),
    ],
)
def test_control_frame_floods(server, name, flood):
    """10 000 SETTINGS or PING frames, each of which demands an answer: cut off after 200."""
    attack(server, lambda sock: sock.sendall(flood * 10_000), ENHANCE_YOUR_CALM)


def test_connection_window_overflow(server):
    def send(sock):
        increment = struct.pack(">I", 0x7FFFFFFF)
        sock.sendall(frame(WINDOW_UPDATE, 0, 0, increment) * 2)

    attack(server, send, FLOW_CONTROL_ERROR)


def test_stream_window_overflow_resets_only_that_stream(server):
    def send(sock):
        sock.sendall(frame(HEADERS, END_HEADERS, 1, headers_block()))
        sock.sendall(frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 0x7FFFFFFF)) * 2)
        # the connection still serves a call
        sock.sendall(frame(HEADERS, END_HEADERS, 3, headers_block()))
        sock.sendall(frame(DATA, END_STREAM, 3, grpc_frame(predict_message())))
        time.sleep(0.5)
        sock.sendall(frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)))
        sock.shutdown(socket.SHUT_WR)

    received = attack(server, send, None)
    kinds = frame_types(received)
    assert (RST_STREAM, FLOW_CONTROL_ERROR) in kinds, kinds
    assert sum(1 for kind, _ in kinds if kind == HEADERS) >= 1, "stream 3 was answered"


def test_empty_data_flood(server):
    def send(sock):
        sock.sendall(frame(HEADERS, END_HEADERS, 1, headers_block()))
        sock.sendall(frame(DATA, 0, 1) * 10_000)

    attack(server, send, None)


def test_garbage_after_the_preface_gets_goaway(server):
    received = attack(server, lambda sock: sock.sendall(b"this is not an HTTP/2 frame" * 10), None)
    assert any(kind == GOAWAY for kind, _ in frame_types(received))


@pytest.fixture
def impatient(launch, repo_root):
    return launch(iris_config(repo_root, server='idle_timeout = "1s"\nrequest_timeout = "2s"'))


@pytest.mark.parametrize(
    "opening",
    [b"", PREFACE[:10], PREFACE, PREFACE + frame(SETTINGS, 0, 0), PREFACE + frame(SETTINGS, 0, 0) + b"\x00\x00"],
    ids=["silent", "half preface", "preface only", "preface and settings", "half a frame"],
)
def test_silent_connections_close_after_idle_timeout(impatient, opening):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as sock:
        sock.sendall(opening)
        received = read_until_closed(sock, timeout=6)
    elapsed = time.monotonic() - started
    assert 0.8 < elapsed < 4, f"closed after {elapsed:.1f}s with idle_timeout = 1s"
    if opening.startswith(PREFACE):
        assert any(kind == GOAWAY for kind, _ in frame_types(received)), "HTTP/2 says goodbye first"
    impatient.assert_serving()


def test_many_silent_connections_are_all_closed(impatient):
    socks = [socket.create_connection(("127.0.0.1", impatient.port), timeout=10) for _ in range(200)]
    try:
        for index, sock in enumerate(socks):
            sock.sendall(PREFACE[: index % len(PREFACE)])
        deadline = time.monotonic() + 8
        for sock in socks:
            read_until_closed(sock, timeout=max(0.1, deadline - time.monotonic()))
    finally:
        for sock in socks:
            sock.close()
    impatient.assert_serving()


def test_a_client_that_never_reads_its_answers(server, bin_dir):
    """60 000 Predicts sent on one connection, with every window opened wide, by a client that
    never reads and ignores the announced stream limit: the server refuses the calls past the
    limit, cuts the client off (GOAWAY ENHANCE_YOUR_CALM) once it has been refused 200 times, or
    stops reading it while its answers cannot be sent — either way its memory stays bounded and
    everyone else is served meanwhile."""
    # Built beforehand: encoding in Python would hold the GIL the /health probe's thread needs.
    encoder = hpack.Encoder()
    batches = []
    for start in range(1, 2 * 60_000, 400):
        batches.append(b"".join(
            frame(HEADERS, END_HEADERS, stream, encoder.encode(grpc_headers(PREDICT)))
            + frame(DATA, END_STREAM, stream, grpc_frame(predict_message()))
            for stream in range(start, start + 400, 2)
        ))
    before = server.rss()
    cpu_before = server.cpu_seconds()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.settimeout(0.5)
    big_window = struct.pack(">HI", 4, 0x7FFFFFFF)  # SETTINGS_INITIAL_WINDOW_SIZE
    sock.sendall(
        PREFACE + frame(SETTINGS, 0, 0, big_window) + frame(SETTINGS, ACK, 0)  # a well-behaved client ACKs
        + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x7FFFFFFF - 65535))
    )
    sent = 0
    ended = None
    with HealthProbe(server.port) as probe:
        for batch in batches:
            try:
                sock.sendall(batch)
            except socket.timeout:
                ended = "the server stopped reading"
                break
            except OSError:
                ended = "the server closed the connection"
                break
            sent += 200
        time.sleep(0.5)
        held = server.rss()
        if ended is None:
            # Everything fit in the sockets' buffers; the cut-off must still come.
            try:
                read_until_closed(sock, timeout=10)
                ended = "the server closed the connection"
            except AssertionError:
                pass
    sock.close()
    cpu = server.cpu_seconds() - cpu_before
    assert ended, f"{sent} calls past the stream limit neither cut the client off nor stopped the reading"
    # What the attack cost the server before the cut-off: a release build answers and refuses the
    # ~300 streams in about 5 ms; a debug build (the suite's) spends ~0.5 s in swift-nio-http2's
    # unoptimized stream map, which on this shared 2-core box has kept a /health on the same event
    # loop waiting up to 1.7 s. The CPU bound holds for both; the latency bound is the build's.
    debug = bin_dir.name == "debug"
    assert cpu < (1.5 if debug else 0.25), f"the attack cost the server {cpu:.2f} s of CPU"
    probe.assert_responsive(2.5 if debug else 1.0)
    server.assert_serving()
    assert held < before + 64 * MIB, f"RSS {before >> 20} -> {held >> 20} MiB with {sent} calls sent and none read"
