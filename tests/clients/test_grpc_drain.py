"""SIGTERM with gRPC calls in flight: every HTTP/2 connection gets a GOAWAY (NO_ERROR) and closes
once its calls are done, a call already sent finishes with its answer, and the server exits 0."""

import signal
import time

import grpc
import numpy as np

from h2_support import PREDICT, RawH2, predict_message

ROWS = 100_000


def _infer_request(rows) -> bytes:
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name="iris")
    tensor = request.inputs.add()
    tensor.name, tensor.datatype = "X", "FP32"
    tensor.shape.extend(rows.shape)
    request.raw_input_contents.append(rows.tobytes())
    return request.SerializeToString()


def test_calls_in_flight_finish_on_sigterm(own_server):
    from tritonclient.grpc import service_pb2

    server = own_server
    with RawH2(server.port) as idle, grpc.insecure_channel(server.address) as channel:
        assert idle.call(PREDICT, predict_message()).status == "OK"
        infer = channel.unary_unary(
            "/inference.GRPCInferenceService/ModelInfer",
            response_deserializer=service_pb2.ModelInferResponse.FromString,
        )
        in_flight = infer.future(_infer_request(np.ones((ROWS, 4), dtype=np.float32)), timeout=60)
        time.sleep(0.3)  # the call is on its way (its stream is open before the GOAWAY either way)
        server.process.send_signal(signal.SIGTERM)

        deadline = time.monotonic() + 5
        while idle.goaway is None and time.monotonic() < deadline:
            idle.read(timeout=0.2)
        assert idle.goaway is not None and idle.goaway.error_code == 0, "GOAWAY (NO_ERROR) on SIGTERM"
        assert idle.wait_closed(timeout=5) < 5, "a connection with no call closes after the final GOAWAY"

        answer = in_flight.result()
        assert len(answer.raw_output_contents[0]) == ROWS * 8, "the call in flight got its whole answer"
    started = time.monotonic()
    assert server.process.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
