"""Open Inference Protocol REST bodies built to make the server allocate: row 6 of the
hostile-network issue (a ~100-byte body declaring shape [67108864, 4] reserved 6 GiB before the
mismatch with its four values was noticed) and the binary tensor data extension's sizes and
offsets. Each gets a 400 naming the problem, fast, with memory flat, under an address-space
limit that the old reservation would have broken."""

import json
import struct
import time

import pytest
from adversary import AdversaryServer, HealthProbe, iris_config

MIB = 1 << 20
INFER = "/v2/models/iris/infer"


@pytest.fixture(scope="module")
def oip_server(bin_dir, repo_root):
    # 2 GiB of address space: enough for the server, far from the 6 GiB row 6 used to reserve.
    server = AdversaryServer(bin_dir, iris_config(repo_root), address_space=2 << 30)
    yield server
    server.stop()


def tensor(shape, data=None, datatype="FP32", **extra):
    value = {"name": "X", "shape": shape, "datatype": datatype, **extra}
    if data is not None:
        value["data"] = data
    return value


def infer(*inputs, **extra) -> bytes:
    return json.dumps({"inputs": list(inputs), **extra}).encode()


def binary(header: dict, payload: bytes, header_length: int | None = None):
    text = json.dumps(header).encode()
    length = len(text) if header_length is None else header_length
    return text + payload, {"Inference-Header-Content-Length": str(length)}


FLOATS = struct.pack("<4f", 5.1, 3.5, 1.4, 0.2)
SIZED = {"binary_data_size": 16}

CASES = [
    ("shape [67108864, 4] with 4 values", infer(tensor([67108864, 4], [1, 2, 3, 4])), None, "its shape needs 268435456"),
    ("shape [2**28 + 1, 1]", infer(tensor([2**28 + 1, 4], [1])), None, "too many elements"),
    ("shape [2**62, 4]", infer(tensor([2**62, 4], [1])), None, "too many elements"),
    ("negative dimension", infer(tensor([-1, 4], [1, 2, 3, 4])), None, "dimensions must be ≥ 0"),
    ("fractional dimension", infer(tensor([1.5, 4], [1, 2, 3, 4])), None, "'shape' must hold integers"),
    ("NaN dimension", b'{"inputs":[{"name":"X","shape":[NaN,4],"datatype":"FP32","data":[]}]}', None, "must hold integers"),
    ("nested data deeper than the shape", infer(tensor([1, 4], [[[[1]]], 2, 3, 4, 5])), None, "more elements"),
    ("the same input 10 000 times", infer(*[tensor([1, 4], [1, 2, 3, 4])] * 10_000), None, "given more than once"),
    ("an unknown output", infer(tensor([1, 4], [1, 2, 3, 4]), outputs=[{"name": "nope"}]), None, "unknown output 'nope'"),
    (
        "binary size beyond the body",
        *binary({"inputs": [tensor([1, 4], parameters={"binary_data_size": 1 << 40})]}, FLOATS),
        "only 16 bytes of binary data remain",
    ),
    (
        "binary size short of the shape",
        *binary({"inputs": [tensor([1, 4], parameters={"binary_data_size": 12})]}, FLOATS[:12]),
        "needs 4 × 4 = 16",
    ),
    (
        "binary size for shape [67108864, 4]",
        *binary({"inputs": [tensor([67108864, 4], parameters=SIZED)]}, FLOATS),
        "its shape needs 268435456 × 4",
    ),
    (
        "bytes after the declared tensors",
        *binary({"inputs": [tensor([1, 4], parameters=SIZED)]}, FLOATS + b"extra"),
        "5 bytes of binary data follow",
    ),
    ("header length beyond the body", *binary({"inputs": []}, b"", header_length=1 << 40), "but the body has only"),
    ("header length inside the JSON", *binary({"inputs": [tensor([1, 4], parameters=SIZED)]}, FLOATS, 10), "invalid JSON"),
    ("header length negative", *binary({"inputs": []}, b"", header_length=-5), "non-negative integer"),
    (
        "header length not a number",
        infer(tensor([1, 4], [1, 2, 3, 4])),
        {"Inference-Header-Content-Length": "0x10"},
        "non-negative integer",
    ),
    ("both data and binary size", infer(tensor([1, 4], [1, 2, 3, 4], parameters=SIZED)), None, "both 'data' and binary_data_size"),
    ("binary size negative", infer(tensor([1, 4], parameters={"binary_data_size": -16})), None, "non-negative integer"),
]


@pytest.mark.parametrize("name, body, headers, fragment", CASES, ids=[c[0] for c in CASES])
def test_oip_abuse_gets_a_400_without_allocating(oip_server, name, body, headers, fragment):
    server = oip_server
    rss_before = server.rss()
    with HealthProbe(server.port) as probe:
        started = time.monotonic()
        status, text = server.request("POST", INFER, body, headers or {}, timeout=30)
        elapsed = time.monotonic() - started
    assert status == 400, text
    assert fragment in json.loads(text)["error"], text
    assert elapsed < 5
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 16 * MIB


def test_nan_and_infinity_are_accepted_in_fp32_data(oip_server):
    """Triton's literals reach the model (iris' logistic regression gives NaN probabilities for
    a NaN feature, which come back as NaN, not null)."""
    body = b'{"inputs":[{"name":"X","shape":[2,4],"datatype":"FP32","data":[NaN,3.5,1.4,0.2,Infinity,1,1,-Infinity]}]}'
    status, text = oip_server.request("POST", INFER, body)
    assert status == 200, text
    assert b"NaN" in text
    assert json.loads(text)["model_version"] == "v1.0.0"
