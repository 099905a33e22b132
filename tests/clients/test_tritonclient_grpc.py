"""The real Open Inference Protocol gRPC client (tritonclient[grpc], pinned) against hotswap's
inference.GRPCInferenceService on the shared port: every call of the protocol's gRPC table."""

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 2.5, 4.9, 1.5], [6.5, 3.0, 5.8, 2.2]], dtype=np.float32)


@pytest.fixture(scope="module")
def client(server):
    client = grpcclient.InferenceServerClient(server.address)
    yield client
    client.close()


def features(rows=ROWS, datatype="FP32"):
    tensor = grpcclient.InferInput("X", list(rows.shape), datatype)
    tensor.set_data_from_numpy(rows)
    return [tensor]


def test_health_calls(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("iris")
    assert client.is_model_ready("iris", "v1.1.0")
    with pytest.raises(InferenceServerException) as error:
        client.is_model_ready("iris", "v9.9.9")
    assert error.value.status() == "StatusCode.NOT_FOUND"
    with pytest.raises(InferenceServerException) as error:
        client.is_model_ready("roses")
    assert error.value.status() == "StatusCode.NOT_FOUND"


def test_metadata(client):
    server = client.get_server_metadata(as_json=True)
    assert server["name"] == "hotswap"
    assert "binary_tensor_data" in server["extensions"]
    model = client.get_model_metadata("iris", "v1.0.0", as_json=True)
    assert model["versions"] == ["v1.0.0", "v1.1.0"]
    assert model["platform"] == "onnx"
    assert model["inputs"] == [{"name": "X", "datatype": "FP32", "shape": ["-1", "4"]}]
    assert [o["name"] for o in model["outputs"]] == ["output_label", "output_probability"]


def test_infer_routed_and_pinned(client):
    outputs = [grpcclient.InferRequestedOutput("output_label"), grpcclient.InferRequestedOutput("output_probability")]
    result = client.infer("iris", features(), outputs=outputs, request_id="g-1")
    response = result.get_response()
    assert response.model_version == "v1.0.0"
    assert response.id == "g-1"
    assert result.as_numpy("output_label").tolist() == [0, 1, 2]
    np.testing.assert_allclose(result.as_numpy("output_probability").sum(axis=1), 1, rtol=1e-5)
    by_version = client.infer("iris", features(), model_version="v1.1.0")
    assert by_version.get_response().model_version == "v1.1.0"
    assert by_version.as_numpy("label").tolist() == [0, 1, 2]
    by_header = client.infer("iris", features(), headers={"x-hotswap-slot": "green"})
    assert by_header.get_response().model_version == "v1.1.0"


def test_requested_outputs_filter(client):
    result = client.infer("iris", features(), outputs=[grpcclient.InferRequestedOutput("output_probability")])
    assert [o.name for o in result.get_response().outputs] == ["output_probability"]
    assert result.as_numpy("output_label") is None
    assert result.as_numpy("output_probability").shape == (3, 3)


@pytest.mark.parametrize(
    "call, status, fragment",
    [
        (lambda c: c.infer("roses", features()), "StatusCode.NOT_FOUND", "unknown model"),
        (lambda c: c.infer("iris", features(), model_version="v9"), "StatusCode.NOT_FOUND", "no version 'v9'"),
        (lambda c: c.infer("iris", features(ROWS.astype(np.float64), "FP64")), "StatusCode.INVALID_ARGUMENT", "must be FP32, got FP64"),
        (lambda c: c.infer("iris", features(ROWS[:, :3].copy())), "StatusCode.INVALID_ARGUMENT", "must have shape [-1, 4]"),
        (lambda c: c.get_model_config("iris"), "StatusCode.UNIMPLEMENTED", "ModelConfig"),
        (lambda c: c.get_inference_statistics("iris"), "StatusCode.UNIMPLEMENTED", "ModelStatistics"),
    ],
)
def test_errors(client, call, status, fragment):
    with pytest.raises(InferenceServerException) as error:
        call(client)
    assert error.value.status() == status
    assert fragment in error.value.message()
    assert client.is_server_ready()


def test_oversize_message_is_resource_exhausted(server):
    rows = np.ones((1_100_000, 4), dtype=np.float32)  # 17.6 MB > the default 16 MiB limit
    with grpcclient.InferenceServerClient(server.address) as client:
        with pytest.raises(InferenceServerException) as error:
            client.infer("iris", features(rows))
        assert error.value.status() == "StatusCode.RESOURCE_EXHAUSTED"
        assert "max_message_bytes" in error.value.message()
        assert client.is_server_ready()


def test_deadline_is_honoured(client):
    rows = np.ones((500_000, 4), dtype=np.float32)
    with pytest.raises(InferenceServerException) as error:
        client.infer("iris", features(rows), client_timeout=0.05)
    assert error.value.status() == "StatusCode.DEADLINE_EXCEEDED"
    assert client.is_server_ready()
