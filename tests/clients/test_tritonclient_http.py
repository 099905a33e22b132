"""The real Open Inference Protocol HTTP client (tritonclient[http], pinned) against hotswap, in its
default binary-data mode and in pure-JSON mode, for every call of the protocol's REST table."""

import numpy as np
import onnxruntime
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 2.5, 4.9, 1.5], [6.5, 3.0, 5.8, 2.2]], dtype=np.float32)
MODES = [pytest.param(True, id="binary"), pytest.param(False, id="json")]


@pytest.fixture(scope="module")
def client(server):
    client = httpclient.InferenceServerClient(server.address)
    yield client
    client.close()


def features(binary: bool, rows=ROWS):
    tensor = httpclient.InferInput("X", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows, binary_data=binary)
    return [tensor]


def test_health_calls(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("iris")
    assert client.is_model_ready("iris", "v1.0.0")
    assert client.is_model_ready("iris", "v1.1.0")
    assert not client.is_model_ready("iris", "v9.9.9")
    assert not client.is_model_ready("roses")


def test_server_metadata(client):
    metadata = client.get_server_metadata()
    assert metadata["name"] == "hotswap"
    assert metadata["version"]
    assert "binary_tensor_data" in metadata["extensions"]


@pytest.mark.parametrize("version, outputs", [("", ["output_label", "output_probability"]), ("v1.1.0", ["label", "probabilities"])])
def test_model_metadata(client, version, outputs):
    metadata = client.get_model_metadata("iris", version)
    assert metadata["name"] == "iris"
    assert metadata["versions"] == ["v1.0.0", "v1.1.0"]
    assert metadata["platform"] == "onnx"
    assert metadata["inputs"] == [{"name": "X", "datatype": "FP32", "shape": [-1, 4]}]
    assert [o["name"] for o in metadata["outputs"]] == outputs
    assert [o["datatype"] for o in metadata["outputs"]] == ["INT64", "FP32"]
    assert metadata["outputs"][1]["shape"] == [-1, 3]


@pytest.mark.parametrize("binary", MODES)
def test_infer_matches_onnxruntime(client, repo_root, binary):
    outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in ("label", "probabilities")]
    result = client.infer("iris", features(binary), model_version="v1.1.0", outputs=outputs, request_id="r-1")
    response = result.get_response()
    assert response["model_name"] == "iris"
    assert response["model_version"] == "v1.1.0"
    assert response["id"] == "r-1"
    reference = onnxruntime.InferenceSession(str(repo_root / "models/iris/v1.1.0/model.onnx"))
    want_label, want_probabilities = reference.run(["label", "probabilities"], {"X": ROWS})
    assert result.as_numpy("label").tolist() == want_label.tolist() == [0, 1, 2]
    np.testing.assert_allclose(result.as_numpy("probabilities"), want_probabilities, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("binary", MODES)
def test_infer_routed_by_weights_and_pinned_by_header(client, binary):
    outputs = [httpclient.InferRequestedOutput("output_label", binary_data=binary)]
    routed = client.infer("iris", features(binary), outputs=outputs)
    assert routed.get_response()["model_version"] == "v1.0.0"
    assert routed.as_numpy("output_label").tolist() == [0, 1, 2]
    assert routed.as_numpy("output_probability") is None
    pinned = client.infer("iris", features(binary), headers={"X-Hotswap-Slot": "green"})
    assert pinned.get_response()["model_version"] == "v1.1.0"
    assert pinned.as_numpy("probabilities").shape == (3, 3)


def test_infer_without_outputs_uses_binary_default(client):
    result = client.infer("iris", features(True))
    assert result.as_numpy("output_label").tolist() == [0, 1, 2]
    probabilities = result.as_numpy("output_probability")
    assert probabilities.shape == (3, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("binary", MODES)
def test_infer_errors(client, binary):
    with pytest.raises(InferenceServerException, match="unknown model 'roses'"):
        client.infer("roses", features(binary))
    with pytest.raises(InferenceServerException, match="no version 'v9'"):
        client.infer("iris", features(binary), model_version="v9")
    wrong = httpclient.InferInput("X", [3, 4], "FP64")
    wrong.set_data_from_numpy(ROWS.astype(np.float64), binary_data=binary)
    with pytest.raises(InferenceServerException, match="input 'X' must be FP32, got FP64"):
        client.infer("iris", [wrong])
    narrow = ROWS[:, :3].copy()
    with pytest.raises(InferenceServerException, match=r"must have shape \[-1, 4\]"):
        client.infer("iris", features(binary, narrow))
    assert client.is_server_ready()
