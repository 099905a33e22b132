"""Drive the `hotswap-onnx` command-line tool and compare its outputs with onnxruntime's.

Contract of the tool (see the ONNX runtime's README): `info MODEL`, `run MODEL --input IN --output
OUT` with Open-Inference-style JSON tensors (`null` = NaN), `bench MODEL --batch N`; any error is
exit code 1 with `error: <message>` on stderr.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
import subprocess
from typing import Any, Sequence

import numpy as np

DATATYPES = {
    "FP32": np.float32,
    "FP64": np.float64,
    "INT64": np.int64,
    "INT32": np.int32,
    "BOOL": np.bool_,
    "BYTES": object,
}


@dataclasses.dataclass(frozen=True)
class ToolResult:
    """What one invocation of the tool did."""

    returncode: int
    stdout: str
    stderr: str


def datatype_of(array: np.ndarray) -> str:
    """The protocol datatype name of a numpy array."""
    kind = array.dtype
    if kind == np.float32:
        return "FP32"
    if kind == np.float64:
        return "FP64"
    if kind == np.int64:
        return "INT64"
    if kind == np.int32:
        return "INT32"
    if kind == np.bool_:
        return "BOOL"
    if kind.kind in "OUS":
        return "BYTES"
    raise ValueError(f"no protocol datatype for {kind}")


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def encode_tensor(name: str, array: np.ndarray) -> dict[str, Any]:
    """One input tensor as the tool reads it: flat row-major data, NaN as null."""
    datatype = datatype_of(array)
    flat = array.reshape(-1)
    if datatype == "BYTES":
        data = [str(v) for v in flat]
    elif datatype in ("FP32", "FP64"):
        # float(np.float32) is the exact double of the float32 value, so it round-trips.
        data = [_json_value(float(v)) for v in flat]
    elif datatype == "BOOL":
        data = [bool(v) for v in flat]
    else:
        data = [int(v) for v in flat]
    return {"name": name, "datatype": datatype, "shape": list(array.shape), "data": data}


def decode_tensor(tensor: dict[str, Any]) -> np.ndarray:
    """One output tensor from the tool's JSON back to a numpy array (null → NaN)."""
    datatype = tensor["datatype"]
    if datatype not in DATATYPES:
        raise AssertionError(f"output {tensor.get('name')!r} has unknown datatype {datatype!r}")
    data = tensor["data"]
    if datatype in ("FP32", "FP64"):
        data = [math.nan if v is None else v for v in data]
    array = np.array(data, dtype=DATATYPES[datatype])
    return array.reshape(tensor["shape"])


def write_request(path: pathlib.Path, inputs: dict[str, np.ndarray]) -> pathlib.Path:
    """Write an IN.json request holding `inputs`; returns its path."""
    path.write_text(json.dumps({"inputs": [encode_tensor(n, a) for n, a in inputs.items()]}))
    return path


class HotswapOnnx:
    """The built `hotswap-onnx` executable."""

    def __init__(self, executable: pathlib.Path, timeout: float = 120.0) -> None:
        self.executable = executable
        self.timeout = timeout

    def invoke(self, args: Sequence[str], timeout: float | None = None) -> ToolResult:
        """Run the tool; a hang fails the calling test through `subprocess.TimeoutExpired`."""
        done = subprocess.run(
            [str(self.executable), *args],
            capture_output=True,
            text=True,
            timeout=timeout or self.timeout,
        )
        return ToolResult(done.returncode, done.stdout, done.stderr)

    def info(self, model: pathlib.Path) -> dict[str, Any]:
        """`hotswap-onnx info MODEL`, parsed."""
        result = self.invoke(["info", str(model)])
        if result.returncode != 0:
            raise AssertionError(f"info {model.name} exited {result.returncode}: {result.stderr.strip()}")
        return json.loads(result.stdout)

    def run(self, model: pathlib.Path, inputs: dict[str, np.ndarray], workdir: pathlib.Path) -> dict[str, np.ndarray]:
        """`hotswap-onnx run`: outputs by name, in the order the tool returned them."""
        request = write_request(workdir / f"{model.stem}.in.json", inputs)
        response = workdir / f"{model.stem}.out.json"
        result = self.invoke(["run", str(model), "--input", str(request), "--output", str(response)])
        if result.returncode != 0:
            raise AssertionError(f"run {model.name} exited {result.returncode}: {result.stderr.strip()}")
        body = json.loads(response.read_text())
        return {tensor["name"]: decode_tensor(tensor) for tensor in body["outputs"]}

    def bench(self, model: pathlib.Path, batch: int, seconds: float, threads: int | None = None,
              request: pathlib.Path | None = None) -> dict[str, Any]:
        """`hotswap-onnx bench`, parsed; `request` is an IN.json whose tensors replace random inputs."""
        args = ["bench", str(model), "--batch", str(batch), "--seconds", str(seconds)]
        if threads is not None:
            args += ["--threads", str(threads)]
        if request is not None:
            args += ["--input", str(request)]
        result = self.invoke(args, timeout=seconds * 10 + 60)
        if result.returncode != 0:
            raise AssertionError(f"bench {model.name} exited {result.returncode}: {result.stderr.strip()}")
        return json.loads(result.stdout)


def zipmap_to_tensor(rows: list[dict[Any, float]], classes: Sequence[Any]) -> np.ndarray:
    """onnxruntime's ZipMap output (a list of {label: probability}) as the [N, C] tensor we serve."""
    keys = [c.item() if isinstance(c, np.generic) else c for c in classes]
    return np.array([[row[k] for k in keys] for row in rows], dtype=np.float32)


def onnxruntime_outputs(model: pathlib.Path, inputs: dict[str, np.ndarray], classes: Sequence[Any] | None
                        ) -> dict[str, np.ndarray]:
    """The reference: onnxruntime's outputs by name, ZipMap sequences turned into tensors."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feed = {name: (array.astype(str) if array.dtype == object else array) for name, array in inputs.items()}
    names = [output.name for output in session.get_outputs()]
    values = session.run(names, feed)
    result = {}
    for name, value in zip(names, values):
        if isinstance(value, list):
            if classes is None:
                raise AssertionError(f"{model.name}: output {name} is a sequence but the model has no classes")
            result[name] = zipmap_to_tensor(value, classes)
        else:
            result[name] = np.asarray(value)
    return result


def assert_outputs_match(model: str, ours: dict[str, np.ndarray], reference: dict[str, np.ndarray],
                         rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Same output names in the same order, same shapes; labels identical, floats within tolerance."""
    assert list(ours) == list(reference), f"{model}: outputs {list(ours)} != onnxruntime's {list(reference)}"
    for name, expected in reference.items():
        got = ours[name]
        assert tuple(got.shape) == tuple(expected.shape), (
            f"{model}: output {name} has shape {got.shape}, onnxruntime gives {expected.shape}"
        )
        if expected.dtype.kind in "fc":
            np.testing.assert_allclose(
                got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol,
                err_msg=f"{model}: output {name} differs from onnxruntime",
            )
        else:
            if expected.dtype.kind in "OUS":
                expected = expected.astype(str)
                got = got.astype(str)
            mismatched = np.flatnonzero(got.reshape(-1) != expected.reshape(-1))
            assert mismatched.size == 0, (
                f"{model}: output {name} differs from onnxruntime in {mismatched.size} rows, first at row "
                f"{mismatched[0]}: ours {got.reshape(-1)[mismatched[0]]!r}, onnxruntime "
                f"{expected.reshape(-1)[mismatched[0]]!r}"
            )
