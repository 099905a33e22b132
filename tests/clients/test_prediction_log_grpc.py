"""The prediction log on the gRPC paths, with the real clients: the seed's PredictionService
Predict (grpcio) and tritonclient's ModelInfer each write one line per call, with the slot, the
route, the sticky key, the input and the prediction; a refused call is logged with its error."""

import json
import time

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient

LOGGED = 'blue = 100\ngreen = 0\nsticky_header = "x-user"\n\n[prediction_log]\nsample = 1\ninputs = true\n'


def lines(server) -> list[dict]:
    path = server.directory / "state" / "predictions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for_lines(server, count: int) -> list[dict]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = lines(server)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    pytest.fail(f"{count} prediction log lines expected, found {len(lines(server))}")


def test_grpc_predict_and_model_infer_are_logged(own_server, seed_stubs):
    own_server.save(LOGGED)
    model_pb2, model_pb2_grpc = seed_stubs
    channel = grpc.insecure_channel(own_server.address)
    stub = model_pb2_grpc.PredictionServiceStub(channel)
    deadline = time.monotonic() + 10
    while not lines(own_server) and time.monotonic() < deadline:  # until the save is applied
        stub.Predict(model_pb2.PredictRequest(features=[5.1, 3.5, 1.4, 0.2]))
        time.sleep(0.05)
    baseline = len(wait_for_lines(own_server, 1))

    response = stub.Predict(model_pb2.PredictRequest(features=[6.5, 3.0, 5.8, 2.2]), metadata=(("x-user", "u-7"),))
    assert response.prediction == 2
    pinned = stub.Predict(
        model_pb2.PredictRequest(features=[5.1, 3.5, 1.4, 0.2]), metadata=(("x-hotswap-slot", "green"),)
    )
    assert pinned.slot == "green"
    with pytest.raises(grpc.RpcError):
        stub.Predict(model_pb2.PredictRequest(features=[1.0, 2.0]))
    channel.close()

    client = grpcclient.InferenceServerClient(own_server.address)
    tensor = grpcclient.InferInput("X", [2, 4], "FP32")
    tensor.set_data_from_numpy(np.array([[5.1, 3.5, 1.4, 0.2], [6.5, 3.0, 5.8, 2.2]], dtype=np.float32))
    result = client.infer("iris", [tensor], headers={"x-user": "u-8"})
    assert list(result.as_numpy("output_label")) == [0, 2]
    client.close()

    sticky, green, refused, infer = wait_for_lines(own_server, baseline + 4)[baseline:]
    assert sticky["protocol"] == "grpc" and sticky["endpoint"] == "Predict"
    assert sticky["route"] == "sticky" and sticky["sticky_key"] == "u-7"
    assert sticky["predictions"][0]["prediction"] == 2 and sticky["predictions"][0]["class_name"] == "virginica"
    assert sticky["inputs"] == [[6.5, 3.0, 5.8, 2.2]]
    assert green["slot"] == "green" and green["route"] == "pinned" and green["version"] == "v1.1.0"
    assert refused["outcome"] == "client_error" and "'features' has 2 values" in refused["error"]
    assert infer["endpoint"] == "ModelInfer" and infer["rows"] == 2 and infer["sticky_key"] == "u-8"
    assert [p["class_name"] for p in infer["predictions"]] == ["setosa", "virginica"]
    assert infer["inputs"][0]["name"] == "X" and infer["inputs"][0]["shape"] == [2, 4]
