"""grpc.health.v1 with the real client (grpcio-health-checking, pinned): Check for the server, the
services, the model and the slots; Watch sees a standby slot become SERVING when the saved config
gives it traffic, and NOT_SERVING again when the traffic is taken away."""

import signal
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


@pytest.fixture(scope="module")
def stub(server):
    channel = grpc.insecure_channel(server.address)
    yield health_pb2_grpc.HealthStub(channel)
    channel.close()


@pytest.mark.parametrize(
    "service, status",
    [
        ("", SERVING),
        ("iris", SERVING),
        ("hotswap.v1.PredictionService", SERVING),
        ("inference.GRPCInferenceService", SERVING),
        ("grpc.health.v1.Health", SERVING),
        ("hotswap.slot.blue", SERVING),
        ("hotswap.slot.green", NOT_SERVING),
    ],
)
def test_check(stub, service, status):
    assert stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status == status


def test_check_unknown_is_not_found(stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.Check(health_pb2.HealthCheckRequest(service="hotswap.slot.purple"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_unknown_is_service_unknown(stub):
    responses = stub.Watch(health_pb2.HealthCheckRequest(service="nope"), timeout=10)
    assert next(responses).status == SERVICE_UNKNOWN
    responses.cancel()


def test_watch_follows_saved_config(server, stub):
    responses = stub.Watch(health_pb2.HealthCheckRequest(service="hotswap.slot.green"), timeout=60)
    try:
        assert next(responses).status == NOT_SERVING
        server.save("blue = 10\ngreen = 90")
        assert next(responses).status == SERVING
        server.save("blue = 100\ngreen = 0")
        assert next(responses).status == NOT_SERVING
    finally:
        responses.cancel()


def test_watch_says_not_serving_and_ends_when_the_server_stops(own_server):
    """An open Watch must not hold the shutdown for the drain timeout (10 s by default): on
    SIGTERM the server tells every watcher NOT_SERVING, ends the stream with OK and exits."""
    server = own_server
    channel = grpc.insecure_channel(server.address)
    try:
        responses = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)
        assert next(responses).status == SERVING
        seen = []
        reader = threading.Thread(target=lambda: seen.extend(r.status for r in responses), daemon=True)
        reader.start()
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0
        elapsed = time.monotonic() - started
        reader.join(timeout=5)
        assert not reader.is_alive(), "the watch stream did not end"
        assert seen == [NOT_SERVING]
        assert responses.code() == grpc.StatusCode.OK
        assert elapsed < 3, f"shutdown took {elapsed:.1f}s with a watch open"
    finally:
        channel.close()
