"""The gRPC side of the hostile-network issue: rows 1 (grpc-timeout that trapped the process),
2 (one connection over max_connections ended the server), 10 (streams that never end), 11
(stream 101 killed the whole connection) and 15 (flag bytes), and malformed protobuf. Server as
the service user under an address-space limit; loopback only; every attack bounded."""

import re
import socket
import threading
import time

import grpc
import h2.settings
import pytest

from adversary import HealthProbe, iris_config
from h2_support import (
    HEALTH_CHECK, MODEL_INFER, PREDICT, RawH2, grpc_frame, health_check_message, predict_message, read_until_closed,
)

MIB = 1 << 20
ALL_METHODS = [
    ("/hotswap.v1.PredictionService/Health", b""),
    (PREDICT, predict_message()),
    ("/inference.GRPCInferenceService/ServerLive", b""),
    ("/inference.GRPCInferenceService/ServerReady", b""),
    ("/inference.GRPCInferenceService/ModelReady", b"\x0a\x04iris"),
    ("/inference.GRPCInferenceService/ServerMetadata", b""),
    ("/inference.GRPCInferenceService/ModelMetadata", b"\x0a\x04iris"),
    (MODEL_INFER, b"\x0a\x04iris"),
    (HEALTH_CHECK, health_check_message()),
    ("/grpc.health.v1.Health/Watch", health_check_message()),
    ("/no.Such/Method", b""),
]


@pytest.mark.parametrize("timeout", ["-1S", "-5S", "-1n", "-99999H"])
def test_negative_grpc_timeouts_on_every_method(server, timeout):
    """Row 1: grpc-swift-2 trapped on these; now each is INVALID_ARGUMENT (or UNIMPLEMENTED for an
    unknown method, decided first) and the process lives."""
    with HealthProbe(server.port) as probe, RawH2(server.port) as conn:
        for path, message in ALL_METHODS:
            response = conn.call(path, message, extra=[("grpc-timeout", timeout)])
            expected = "UNIMPLEMENTED" if path == "/no.Such/Method" else "INVALID_ARGUMENT"
            assert response.status == expected, (path, vars(response))
    probe.assert_responsive()
    server.assert_serving()


def test_connections_over_max_connections_are_refused_and_counted(launch, repo_root):
    """Row 2: silent connections past max_connections are closed unread; the server goes on, counts
    them in hotswap_connections_rejected_total and logs one line (rate-limited), not one per
    connection."""
    server = launch(iris_config(repo_root, server="max_connections = 16"))
    held = []
    try:
        # Fill the server. A place may still be taken by a connection of the readiness probe that
        # the server has not seen close yet; a held connection refused for that is opened again.
        deadline = time.monotonic() + 10
        while len(held) < 16:
            assert time.monotonic() < deadline, "could not hold 16 connections"
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if _closed_within(sock, 0.2):
                sock.close()
            else:
                held.append(sock)
        for _ in range(40):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as extra:
                assert _closed_within(extra, 5), "a connection over max_connections was not closed"
        server.assert_running()
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            server.assert_serving()
            break
        except (OSError, AssertionError):
            time.sleep(0.1)
    server.assert_serving()
    status, body = server.request("GET", "/metrics")
    assert status == 200
    rejected = re.search(rb"^hotswap_connections_rejected_total (\d+)", body, re.M)
    assert rejected and int(rejected.group(1)) >= 40, body[-2000:]
    assert server.log().count("connection refused: max_connections are open") == 1, server.log()[-3000:]


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True if the server closes `sock` (unread) within `seconds`."""
    try:
        read_until_closed(sock, timeout=seconds)
        return True
    except AssertionError:
        return False


def test_streams_that_never_end_get_deadline_exceeded(launch, repo_root):
    """Row 10: a stream without END_STREAM ends with DEADLINE_EXCEEDED at request_timeout, or at
    grpc-timeout if shorter; its partial message is dropped."""
    server = launch(iris_config(repo_root, server='request_timeout = "2s"'))
    with RawH2(server.port) as conn:
        started = time.monotonic()
        silent = conn.start(PREDICT)  # headers only
        partial = conn.start(PREDICT)
        conn.send(partial, grpc_frame(predict_message())[:7], end=False)
        short = conn.start(PREDICT, extra=[("grpc-timeout", "300m")])
        assert conn.wait(short, timeout=5).status == "DEADLINE_EXCEEDED"
        assert time.monotonic() - started < 1.5
        for stream in (silent, partial):
            response = conn.wait(stream, timeout=5)
            assert response.status == "DEADLINE_EXCEEDED"
            assert "request_timeout (2s)" in response.message
        assert 1.8 < time.monotonic() - started < 4
        response = conn.call(PREDICT, predict_message())
        assert response.status == "OK"
    server.assert_serving()


def test_partial_messages_per_connection_are_capped(launch, repo_root):
    """Row 10: six streams each declaring 16 MB and sending 12.5 MB used to hold 75 MB. A connection
    now holds at most 2 x (max_message_bytes + 5) of unfinished messages: the calls that would go
    past it are refused with RESOURCE_EXHAUSTED, memory stays within the bound while the rest wait,
    and comes back once they end."""
    server = launch(iris_config(repo_root))
    before = server.rss()
    chunk = b"\x00" * (12 * MIB + MIB // 2)
    with RawH2(server.port) as conn:
        streams = []
        for _ in range(6):
            stream = conn.start(MODEL_INFER)
            conn.send(stream, grpc_frame(b"", length=16 * MIB) + chunk, end=False)
            streams.append(stream)
        conn.read_for(0.5)
        refused = [stream for stream in streams if conn.responses[stream].done]
        held = [stream for stream in streams if stream not in refused]
        assert len(refused) == 4 and len(held) == 2, [vars(conn.responses[stream]) for stream in streams]
        assert all(conn.responses[stream].status == "RESOURCE_EXHAUSTED" for stream in refused)
        assert "the limit is 33554442" in conn.responses[refused[0]].message
        held_rss = server.rss()
        assert held_rss < before + 64 * MIB, f"RSS {before >> 20} -> {held_rss >> 20} MiB while holding"
        for stream in held:
            conn.send(stream, b"", end=True)
            response = conn.wait(stream)
            assert response.status == "INTERNAL" and "of 16777216 bytes arrived" in response.message
        assert conn.call(PREDICT, predict_message()).status == "OK"
    deadline = time.monotonic() + 10
    while server.rss() > before + 48 * MIB and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.rss() < before + 48 * MIB, f"RSS {before >> 20} -> {server.rss() >> 20} MiB"
    server.assert_serving()


def test_the_stream_past_the_limit_is_refused_alone(server):
    """Row 11: with 100 calls open on a connection, the 101st gets RST_STREAM REFUSED_STREAM — not
    a GOAWAY for all of them — and the 100 finish normally."""
    with RawH2(server.port) as conn:
        conn.wait_settings()
        conn.read_for(0.2)  # our SETTINGS ACK is out; the server enforces 100 from here
        open_streams = []
        for _ in range(100):
            stream = conn.start(PREDICT)
            conn.send(stream, grpc_frame(predict_message())[:3], end=False)
            open_streams.append(stream)
        # Behave as a client that ignores the announced limit (hyper-h2 itself would not send it).
        conn.conn.remote_settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = 1000
        conn.conn.remote_settings.acknowledge()
        refused = conn.start(PREDICT)
        response = conn.wait(refused, timeout=5)
        assert response.reset == 0x7, vars(response)  # REFUSED_STREAM
        for stream in open_streams:
            conn.send(stream, grpc_frame(predict_message())[3:], end=True)
        assert all(conn.wait(stream).status == "OK" for stream in open_streams)
        assert conn.goaway is None
        assert conn.call(PREDICT, predict_message()).status == "OK"


def test_grpcio_with_150_watches_and_200_calls_on_one_channel(server):
    """Row 11 with the real client: grpcio honours the announced limit, so 100 watches run, 50
    wait, and run once the first ones end; 200 concurrent unary calls all succeed."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        watches = [stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=30) for _ in range(150)]
        first = [None] * 150
        errors = []

        def take(index):
            try:
                first[index] = next(watches[index]).status
            except grpc.RpcError as error:
                errors.append(error.code())

        threads = [threading.Thread(target=take, args=(index,), daemon=True) for index in range(150)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while sum(status is not None for status in first) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(status is not None for status in first) == 100, f"{errors[:3]}"
        for index, status in enumerate(first):
            if status is not None:
                watches[index].cancel()
        for thread in threads:
            thread.join(timeout=15)
        assert not errors, errors[:3]
        assert all(status == health_pb2.HealthCheckResponse.SERVING for status in first)
        for watch in watches:
            watch.cancel()

        predict = channel.unary_unary(PREDICT)
        futures = [predict.future(predict_message(), timeout=30) for _ in range(200)]
        assert all(b"v1.0.0" in future.result() for future in futures)


@pytest.mark.parametrize("flag", [1, 2, 0x80, 0xFF])
def test_flag_bytes_get_a_status(server, flag):
    """Row 15: a flag byte other than 0 is INTERNAL with a message, never accepted, never a reset."""
    with RawH2(server.port) as conn:
        response = conn.call(PREDICT, grpc_frame(predict_message(), flag=flag), framed=True)
        assert response.status == "INTERNAL"
        assert response.message
    server.assert_serving()


@pytest.mark.parametrize("garbage", [b"\xff", b"\x0a\xff\xff\xff\xff\x0f", b"\x2a\x05\x01", b"\x0a" * 1000])
def test_malformed_protobuf_is_invalid_argument_on_every_method(server, garbage):
    with RawH2(server.port) as conn:
        for path, _ in ALL_METHODS[:-1]:
            response = conn.call(path, garbage)
            assert response.status == "INVALID_ARGUMENT", (path, vars(response))
            assert "is not a valid" in response.message
    server.assert_serving()
