"""gRPC over HTTP/2 on the wire, against the real server: what the protocol prescribes for every
malformed or unusual call, checked with raw HTTP/2 (hyper-h2) where real clients never send such
things, and with grpcio where they do. Each case also checks the connection still serves."""

import concurrent.futures
import struct

import grpc
import h2.settings
import numpy as np
import pytest
import tritonclient.grpc as grpcclient

from h2_support import (
    DATA, HEADERS, HEALTH_CHECK, MODEL_INFER, PREDICT, RST_STREAM, RawH2, grpc_frame, health_check_message,
    predict_message,
)


def assert_still_serves(conn: RawH2) -> None:
    response = conn.call(PREDICT, predict_message())
    assert response.status == "OK", vars(response)
    assert response.headers[":status"] == "200"


@pytest.fixture
def conn(server):
    with RawH2(server.port) as connection:
        yield connection


def test_settings_announce_the_stream_limit(conn):
    conn.wait_settings()
    assert conn.conn.remote_settings.max_concurrent_streams == 100
    assert conn.conn.remote_settings.max_header_list_size == 16384


@pytest.mark.parametrize(
    "path, fragment",
    [
        ("/hotswap.v1.PredictionService/Nope", "has no method 'Nope'"),
        ("/inference.GRPCInferenceService/ModelConfig", "ModelConfig is not served"),
        ("/no.Such/Method", "Hotswap serves hotswap.v1.PredictionService"),
    ],
)
def test_unknown_methods_are_unimplemented_trailers_only(conn, path, fragment):
    response = conn.call(path, b"")
    assert response.headers[":status"] == "200"
    assert response.headers["grpc-status"] == "12", "trailers-only: the status is in the one HEADERS"
    assert response.trailers == {} and response.data == b""
    assert fragment in response.message
    assert_still_serves(conn)


def test_unimplemented_answers_before_the_request_ends(conn):
    stream = conn.start("/inference.GRPCInferenceService/ModelStreamInfer")
    response = conn.wait(stream, timeout=5)
    assert response.status == "UNIMPLEMENTED"
    conn.read_for(0.3)
    assert RST_STREAM in conn.frames_on(stream), "reset (NO_ERROR) so the client stops sending"


def test_content_type_not_grpc_is_415(conn):
    stream = conn.start(PREDICT, content_type="application/json")
    conn.send(stream, grpc_frame(predict_message()))
    response = conn.wait(stream)
    assert response.headers[":status"] == "415"
    assert "is not gRPC" in response.message
    assert_still_serves(conn)


def test_get_is_405(conn):
    stream = conn.start(PREDICT, method="GET", end=True)
    response = conn.wait(stream)
    assert response.headers[":status"] == "405"
    assert response.headers["allow"] == "POST"
    assert_still_serves(conn)


def test_missing_pseudo_header_is_an_error_not_a_hang(conn):
    headers = [(":method", "POST"), (":scheme", "http"), ("content-type", "application/grpc")]  # no :path
    stream = conn.start("", headers=headers)
    response = conn.wait(stream, timeout=5)
    assert response.reset is not None or response.status is not None
    assert_still_serves(conn)


def test_grpc_encoding_other_than_identity(conn):
    response = conn.call(PREDICT, predict_message(), extra=[("grpc-encoding", "gzip")])
    assert response.status == "UNIMPLEMENTED"
    assert response.headers["grpc-accept-encoding"] == "identity"
    assert "gzip" in response.message
    assert conn.call(PREDICT, predict_message(), extra=[("grpc-encoding", "identity")]).status == "OK"


@pytest.mark.parametrize(
    "flag, fragment", [(1, "marked compressed, but the call declared no grpc-encoding"), (2, "flag byte is 2")]
)
def test_flag_byte_is_checked(conn, flag, fragment):
    response = conn.call(PREDICT, grpc_frame(predict_message(), flag=flag), framed=True)
    assert response.status == "INTERNAL", "a status, not a stream reset"
    assert fragment in response.message
    assert_still_serves(conn)


def test_message_split_over_many_data_frames(conn):
    stream = conn.start(PREDICT)
    conn.send(stream, grpc_frame(predict_message()), chunk=3)
    response = conn.wait(stream)
    assert response.status == "OK"
    assert b"v1.0.0" in response.data


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"", "without a request message"),
        (grpc_frame(predict_message()) * 2, "a second one arrived"),
        (grpc_frame(b"", length=10), "0 of 10 bytes arrived"),
    ],
)
def test_unary_needs_exactly_one_message(conn, body, fragment):
    stream = conn.start(PREDICT, end=not body)
    if body:
        conn.send(stream, body)
    response = conn.wait(stream)
    assert response.status == "INTERNAL"
    assert fragment in response.message


def test_message_size_decided_from_the_prefix(conn):
    limit = 16 * 1024 * 1024
    stream = conn.start(MODEL_INFER)
    conn.send(stream, grpc_frame(b"", length=limit + 1), end=False)  # the prefix only
    response = conn.wait(stream, timeout=5)
    assert response.status == "RESOURCE_EXHAUSTED"
    assert response.message == f"request message is {limit + 1} bytes; the limit is {limit} (max_message_bytes)"
    assert response.reset == 0
    assert_still_serves(conn)


@pytest.mark.parametrize("timeout", ["1n", "5u", "20m", "0S"])
def test_grpc_timeout_units_end_an_unfinished_call(conn, timeout):
    stream = conn.start(PREDICT, extra=[("grpc-timeout", timeout)])
    conn.send(stream, grpc_frame(predict_message())[:3], end=False)
    response = conn.wait(stream, timeout=5)
    assert response.status == "DEADLINE_EXCEEDED"
    assert f"grpc-timeout {timeout[:-1]}" in response.message or "grpc-timeout 0ms" in response.message
    assert_still_serves(conn)


@pytest.mark.parametrize("timeout", ["1H", "2M", "30S", "5000m", "99999999H"])
def test_grpc_timeout_long_units_allow_the_call(conn, timeout):
    assert conn.call(PREDICT, predict_message(), extra=[("grpc-timeout", timeout)]).status == "OK"


@pytest.mark.parametrize("timeout", ["-1S", "-5S", "-1n", "-99999H", "1.5S", "10s", "123456789S", ""])
def test_malformed_grpc_timeout_is_invalid_argument(conn, timeout):
    for path, message in [(PREDICT, predict_message()), (HEALTH_CHECK, health_check_message()),
                          ("/grpc.health.v1.Health/Watch", health_check_message())]:
        response = conn.call(path, message, extra=[("grpc-timeout", timeout)])
        assert response.status == "INVALID_ARGUMENT", (path, vars(response))
        assert "is not a timeout" in response.message
    assert_still_serves(conn)


def test_binary_metadata_is_tolerated(server, seed_stubs):
    model_pb2, model_pb2_grpc = seed_stubs
    with grpc.insecure_channel(server.address) as channel:
        stub = model_pb2_grpc.PredictionServiceStub(channel)
        response = stub.Predict(
            model_pb2.PredictRequest(features=[5.1, 3.5, 1.4, 0.2]),
            metadata=(("trace-bin", b"\x00\xff\x10"), ("x-note", "hello")),
            timeout=10,
        )
        assert response.model_version == "v1.0.0"


def test_non_ascii_error_messages_survive(server):
    with grpcclient.InferenceServerClient(server.address) as client:
        with pytest.raises(Exception) as error:
            client.infer("modèle-ü", [_iris_input(np.ones((1, 4), dtype=np.float32))])
    assert "unknown model 'modèle-ü'" in str(error.value)


def _iris_input(rows):
    tensor = grpcclient.InferInput("X", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows)
    return tensor


def test_flow_control_both_ways_for_50000_rows(server):
    rows = np.tile(np.array([[5.1, 3.5, 1.4, 0.2], [6.5, 3.0, 5.8, 2.2]], dtype=np.float32), (25_000, 1))
    with grpcclient.InferenceServerClient(server.address) as client:
        result = client.infer("iris", [_iris_input(rows)])
    labels = result.as_numpy("output_label")
    assert labels.shape == (50_000,)
    assert labels[:4].tolist() == [0, 2, 0, 2]


def test_flow_control_with_a_small_client_window(server):
    """The client opens only 16 KiB of window: the ~1 MB answer arrives as the window allows."""
    rows = np.tile(np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32), (50_000, 1))
    request = _infer_request(rows)
    with RawH2(server.port, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16384}) as conn:
        response = conn.call(MODEL_INFER, request, timeout=30)
    assert response.status == "OK"
    assert len(response.data) > 50_000 * 8


def _infer_request(rows) -> bytes:
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name="iris")
    tensor = request.inputs.add()
    tensor.name, tensor.datatype = "X", "FP32"
    tensor.shape.extend(rows.shape)
    request.raw_input_contents.append(rows.tobytes())
    return request.SerializeToString()


def test_hundreds_of_concurrent_calls_on_one_channel(server, seed_stubs):
    model_pb2, model_pb2_grpc = seed_stubs
    with grpc.insecure_channel(server.address) as channel:
        stub = model_pb2_grpc.PredictionServiceStub(channel)
        request = model_pb2.PredictRequest(features=[5.1, 3.5, 1.4, 0.2])
        futures = [stub.Predict.future(request, timeout=30) for _ in range(400)]
        answers = [future.result() for future in futures]
    assert {answer.model_version for answer in answers} == {"v1.0.0"}


def test_client_reset_drops_the_work_and_nothing_follows(server):
    """A large ModelInfer (answered on the thread pool) reset by the client as soon as it is sent:
    the server writes nothing more on that stream, and the connection goes on serving."""
    rows = np.ones((300_000, 4), dtype=np.float32)
    with RawH2(server.port) as conn:
        stream = conn.start(MODEL_INFER)
        conn.send(stream, grpc_frame(_infer_request(rows)))
        conn.reset(stream)
        after_reset = len(conn.frames)
        conn.read_for(1.5)
        assert not {HEADERS, DATA} & set(conn.frames_on(stream, since=after_reset))
        assert_still_serves(conn)


def test_watch_and_unary_calls_share_one_connection(server):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(server.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        check = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="iris"), timeout=10)
        assert check.status == health_pb2.HealthCheckResponse.SERVING
        unknown = channel.unary_unary("/x.Y/Z")
        with pytest.raises(grpc.RpcError) as error:
            unknown(b"", timeout=10)
        assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
        watch.cancel()


def test_many_predicts_in_parallel_threads(server, seed_stubs):
    model_pb2, model_pb2_grpc = seed_stubs
    with grpc.insecure_channel(server.address) as channel:
        stub = model_pb2_grpc.PredictionServiceStub(channel)
        request = model_pb2.PredictRequest(features=[6.5, 3.0, 5.8, 2.2])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            labels = list(pool.map(lambda _: stub.Predict(request, timeout=10).prediction, range(200)))
    assert set(labels) == {2}
