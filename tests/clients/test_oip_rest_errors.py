"""Open Inference Protocol REST errors from a plain HTTP client: each bad request gets its status
with a JSON `{"error": ...}` naming the problem, and the server keeps serving."""

import json
import struct

import pytest
import requests


def post(server, path, body: bytes, headers=None):
    return requests.post(f"http://{server.address}{path}", data=body, headers=headers or {}, timeout=10)


def infer_json(inputs):
    return json.dumps({"inputs": inputs}).encode()


X = {"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}

CASES = [
    ("/v2/models/roses/infer", infer_json([X]), None, 404, "unknown model 'roses'"),
    ("/v2/models/iris/versions/v9/infer", infer_json([X]), None, 404, "no version 'v9'"),
    ("/v2/models/iris/infer", b"{not json", None, 400, "invalid JSON"),
    ("/v2/models/iris/infer", infer_json([dict(X, shape=[2, 4])]), None, 400, "has 4 elements in 'data' but its shape needs 8"),
    ("/v2/models/iris/infer", infer_json([dict(X, datatype="FP16")]), None, 400, "unknown datatype 'FP16'"),
    ("/v2/models/iris/infer", infer_json([dict(X, data=["a", 1, 2, 3])]), None, 400, "must be a number, got a string"),
    ("/v2/models/iris/infer", infer_json([dict(X, name="Y")]), None, 400, "unknown input 'Y'"),
    (
        "/v2/models/iris/infer",
        json.dumps({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}).encode()
        + struct.pack("<3f", 1, 2, 3),
        "header",
        400,
        "binary_data_size 16 but only 12 bytes",
    ),
]


@pytest.mark.parametrize("path, body, header, status, fragment", CASES)
def test_bad_requests(server, path, body, header, status, fragment):
    headers = {}
    if header:
        headers["Inference-Header-Content-Length"] = str(body.index(b"}]}") + 3)
    response = post(server, path, body, headers)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]


def test_oversize_body_is_413(server):
    rows = 200_000
    body = infer_json([{"name": "X", "shape": [rows, 4], "datatype": "FP32", "data": [1.0] * (rows * 4)}])
    response = post(server, "/v2/models/iris/infer", body)
    assert response.status_code == 413
    assert "error" in response.json()


def test_wrong_method_is_405(server):
    response = requests.get(f"http://{server.address}/v2/models/iris/infer", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_still_serving_with_slot_headers(server):
    response = post(server, "/v2/models/iris/infer", infer_json([X]))
    assert response.status_code == 200
    assert response.headers["X-Hotswap-Slot"] == "blue"
    assert response.headers["X-Model-Version"] == "v1.0.0"
    assert response.json()["outputs"][0]["data"] == [0]
