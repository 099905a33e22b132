"""The shadow on the gRPC paths, with the real clients: every unpinned PredictionService/Predict
(grpcio, the seed's stubs) and GRPCInferenceService/ModelInfer (tritonclient) answered by blue is
run on green too, and the shadow's disagreement count is exactly onnxruntime's for the same rows."""

import json
import time
import urllib.request

import grpc
import numpy as np
import onnxruntime
import pytest
import tritonclient.grpc as grpcclient

GRID = [
    [a, b, c, d]
    for a in (4.5, 5.5, 6.5, 7.5)
    for b in (2.5, 3.0, 3.5)
    for c in (1.5, 3.0, 4.5, 5.0, 5.5, 6.0)
    for d in (0.2, 1.0, 1.5, 1.8, 2.2)
]
SHADOWED = 'blue = 100\ngreen = 0\n\n[shadow]\nslot = "green"\n'


def labels(repo_root, version: str, rows) -> list[int]:
    session = onnxruntime.InferenceSession(str(repo_root / "models" / "iris" / version / "model.onnx"))
    name = session.get_inputs()[0].name
    return [int(v) for v in session.run(None, {name: np.array(rows, dtype=np.float32)})[0]]


def shadow(server) -> dict:
    with urllib.request.urlopen(f"http://{server.address}/status", timeout=5) as response:
        return json.loads(response.read())["shadow"]


def wait_for(server, predicate, what: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = shadow(server)
        if current and predicate(current):
            return current
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}: {shadow(server)}")


def test_grpc_predict_and_model_infer_are_mirrored_and_compared(own_server, seed_stubs, repo_root):
    expected = sum(a != b for a, b in zip(labels(repo_root, "v1.0.0", GRID), labels(repo_root, "v1.1.0", GRID)))
    assert 0 < expected < len(GRID) // 2
    own_server.save(SHADOWED)
    wait_for(own_server, lambda s: s.get("slot") == "green", "the shadow to be configured")

    model_pb2, model_pb2_grpc = seed_stubs
    with grpc.insecure_channel(own_server.address) as channel:
        stub = model_pb2_grpc.PredictionServiceStub(channel)
        for row in GRID:
            assert stub.Predict(model_pb2.PredictRequest(features=row)).slot == "blue"
        # Pinned calls are never mirrored.
        stub.Predict(model_pb2.PredictRequest(features=GRID[0]), metadata=(("x-hotswap-slot", "blue"),))
    total = wait_for(own_server, lambda s: s["total"]["mirrored"] >= len(GRID), "the Predict copies")["total"]
    assert total["compared"] == len(GRID) and total["errors"] == 0 and total["dropped"] == 0
    assert total["disagreeing"] == expected

    client = grpcclient.InferenceServerClient(own_server.address)
    tensor = grpcclient.InferInput("X", [len(GRID), 4], "FP32")
    tensor.set_data_from_numpy(np.array(GRID, dtype=np.float32))
    result = client.infer("iris", [tensor])
    assert len(result.as_numpy("output_label")) == len(GRID)
    client.close()
    total = wait_for(own_server, lambda s: s["total"]["mirrored"] >= len(GRID) + 1, "the ModelInfer copy")["total"]
    assert total["compared"] == len(GRID) + 1 and total["errors"] == 0
    assert total["predictions"] == 2 * len(GRID)
    assert total["disagreeing"] == 2 * expected
