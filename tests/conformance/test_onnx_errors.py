"""Broken models and bad inputs: `hotswap-onnx` exits 1 with `error:` on stderr, never crashes or hangs."""

import json
import pathlib

import numpy as np
import pytest

import bad_models
from onnx_tool import HotswapOnnx, ToolResult, encode_tensor

REPO = pathlib.Path(__file__).resolve().parents[2]
VALID = REPO / "models" / "wine" / "v1.0.0" / "model.onnx"
IRIS = REPO / "models" / "iris" / "v1.0.0" / "model.onnx"
BROKEN = sorted({**bad_models.from_valid(b""), **bad_models.BUILT})
TIMEOUT = 60.0


def assert_clean_error(result: ToolResult, what: str) -> None:
    assert result.returncode >= 0, f"{what}: killed by signal {-result.returncode} (crash)\n{result.stderr}"
    assert result.returncode == 1, f"{what}: exit code {result.returncode}, want 1\n{result.stderr}"
    assert "error:" in result.stderr, f"{what}: stderr lacks 'error:': {result.stderr!r}"


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    return bad_models.write_all(tmp_path_factory.mktemp("broken"), VALID.read_bytes())


@pytest.fixture(scope="module")
def four_feature_rows(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("inputs") / "rows.json"
    rows = np.arange(8, dtype=np.float32).reshape(2, 4)
    path.write_text(json.dumps({"inputs": [encode_tensor("X", rows)]}))
    return path


@pytest.mark.parametrize("name", BROKEN)
def test_broken_model_run_is_an_error(name: str, broken, four_feature_rows: pathlib.Path, onnx_tool: HotswapOnnx,
                                      tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out.json"
    result = onnx_tool.invoke(["run", str(broken[name]), "--input", str(four_feature_rows), "--output", str(out)],
                              timeout=TIMEOUT)
    assert_clean_error(result, f"run {name}")


@pytest.mark.parametrize("name", BROKEN)
def test_broken_model_info(name: str, broken, onnx_tool: HotswapOnnx) -> None:
    result = onnx_tool.invoke(["info", str(broken[name])], timeout=TIMEOUT)
    if name in bad_models.RUN_TIME_ONLY and result.returncode == 0:
        json.loads(result.stdout)
        return
    assert_clean_error(result, f"info {name}")


def _tensor(name="X", datatype="FP32", shape=(2, 4), data=None) -> dict:
    values = list(range(int(np.prod(shape)))) if data is None else data
    return {"name": name, "datatype": datatype, "shape": list(shape), "data": values}


BAD_INPUTS = {
    "too-few-features": {"inputs": [_tensor(shape=(2, 3))]},
    "too-many-features": {"inputs": [_tensor(shape=(2, 5))]},
    "rank-1": {"inputs": [_tensor(shape=(4,))]},
    "rank-3": {"inputs": [_tensor(shape=(1, 2, 4))]},
    "data-shorter-than-shape": {"inputs": [_tensor(data=[1.0] * 7)]},
    "data-longer-than-shape": {"inputs": [_tensor(data=[1.0] * 9)]},
    "negative-dimension": {"inputs": [_tensor(shape=(-2, 4), data=[1.0] * 8)]},
    "huge-dimension": {"inputs": [_tensor(shape=(1 << 40, 4), data=[1.0] * 8)]},
    "overflowing-dimensions": {"inputs": [_tensor(shape=(1 << 62, 1 << 62), data=[1.0] * 8)]},
    "strings-for-floats": {"inputs": [_tensor(datatype="BYTES", data=["a"] * 8)]},
    "strings-in-fp32-data": {"inputs": [_tensor(data=["1.0"] * 8)]},
    "unknown-datatype": {"inputs": [_tensor(datatype="FP128")]},
    "wrong-input-name": {"inputs": [_tensor(name="Y")]},
    "no-inputs": {"inputs": []},
    "duplicate-input": {"inputs": [_tensor(), _tensor()]},
    "not-an-object": [1, 2, 3],
    "missing-inputs-key": {"tensors": [_tensor()]},
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_an_error(case: str, onnx_tool: HotswapOnnx, tmp_path: pathlib.Path) -> None:
    request = tmp_path / "in.json"
    request.write_text(json.dumps(BAD_INPUTS[case]))
    result = onnx_tool.invoke(["run", str(IRIS), "--input", str(request), "--output", str(tmp_path / "out.json")],
                              timeout=TIMEOUT)
    assert_clean_error(result, f"run with {case}")


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe not json", b'{"inputs": [{"name": "X"}]}'],
                         ids=["empty", "unterminated", "not-utf8", "tensor-without-fields"])
def test_malformed_request_file_is_an_error(content: bytes, onnx_tool: HotswapOnnx, tmp_path: pathlib.Path) -> None:
    request = tmp_path / "in.json"
    request.write_bytes(content)
    result = onnx_tool.invoke(["run", str(IRIS), "--input", str(request), "--output", str(tmp_path / "out.json")],
                              timeout=TIMEOUT)
    assert_clean_error(result, f"run with request {content[:20]!r}")


@pytest.mark.parametrize("args", [
    ["info", "/nonexistent/model.onnx"],
    ["run", "/nonexistent/model.onnx", "--input", "/nonexistent/in.json", "--output", "/tmp/never.json"],
    ["run", str(IRIS), "--input", "/nonexistent/in.json", "--output", "/tmp/never.json"],
    ["bench", str(IRIS), "--batch", "0"],
], ids=["info-missing-model", "run-missing-model", "run-missing-input", "bench-batch-zero"])
def test_missing_files_and_bad_arguments_are_errors(args, onnx_tool: HotswapOnnx) -> None:
    result = onnx_tool.invoke(args, timeout=TIMEOUT)
    assert_clean_error(result, " ".join(args[:1]))


def test_the_valid_model_works(onnx_tool: HotswapOnnx, four_feature_rows: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The control case: the same request on the intact iris model succeeds."""
    out = tmp_path / "out.json"
    result = onnx_tool.invoke(["run", str(IRIS), "--input", str(four_feature_rows), "--output", str(out)],
                              timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    names = [tensor["name"] for tensor in json.loads(out.read_text())["outputs"]]
    assert names == ["output_label", "output_probability"]


@pytest.mark.parametrize("case", ["floats-for-strings", "null-in-strings", "numbers-in-strings"])
def test_bad_string_input_is_an_error(case: str, zoo, onnx_tool: HotswapOnnx, tmp_path: pathlib.Path) -> None:
    model, inputs, _ = zoo.get("column-transformer-blocks-tensor")
    tensors = [encode_tensor(name, array[:2]) for name, array in inputs.items()]
    cat = tensors[1]
    assert cat["name"] == "cat" and cat["datatype"] == "BYTES"
    if case == "floats-for-strings":
        cat.update(datatype="FP32", data=[1.0, 2.0, 3.0, 4.0])
    elif case == "null-in-strings":
        cat["data"][0] = None
    else:
        cat["data"][0] = 5
    request = tmp_path / "in.json"
    request.write_text(json.dumps({"inputs": tensors}))
    result = onnx_tool.invoke(["run", str(model), "--input", str(request), "--output", str(tmp_path / "out.json")],
                              timeout=TIMEOUT)
    assert_clean_error(result, f"run with {case}")
