"""`hotswap-onnx run` against onnxruntime on every zoo model and on the repository's models."""

import json
import pathlib
import re

import numpy as np
import onnx
import pytest
from sklearn import datasets

from onnx_tool import HotswapOnnx, assert_outputs_match, onnxruntime_outputs
from onnx_zoo import TEST_ROWS, Zoo, entries

REPO = pathlib.Path(__file__).resolve().parents[2]
ZOO = entries()
REPOSITORY_MODELS = [
    ("iris", "v1.0.0", datasets.load_iris),
    ("iris", "v1.1.0", datasets.load_iris),
    ("wine", "v1.0.0", datasets.load_wine),
    ("wine", "v1.1.0", datasets.load_wine),
    ("diabetes", "v1.0.0", datasets.load_diabetes),
]


def test_zoo_covers_the_brief() -> None:
    names = {entry.name for entry in ZOO}
    assert len(names) == len(ZOO)
    assert sum(entry.zipmap is True for entry in ZOO) == sum(entry.zipmap is False for entry in ZOO)
    assert any(entry.has_nan for entry in ZOO if entry.name.startswith("column-transformer"))
    assert any(entry.has_nan for entry in ZOO if entry.name.startswith("hist-gradient-boosting"))


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_zoo_model_matches_onnxruntime(entry, zoo: Zoo, onnx_tool: HotswapOnnx, tmp_path: pathlib.Path) -> None:
    model, inputs, classes = zoo.get(entry.name)
    assert all(len(array) == TEST_ROWS for array in inputs.values())
    if entry.has_nan:
        assert any(np.isnan(a).any() for a in inputs.values() if a.dtype.kind == "f"), "test rows lack NaN"
    reference = onnxruntime_outputs(model, inputs, classes)
    ours = onnx_tool.run(model, inputs, tmp_path)
    assert_outputs_match(entry.name, ours, reference)


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_zoo_model_single_row_matches_onnxruntime(entry, zoo: Zoo, onnx_tool: HotswapOnnx,
                                                  tmp_path: pathlib.Path) -> None:
    """Batch 1: shapes such as [1, C] and [1] must not collapse or broadcast differently."""
    model, inputs, classes = zoo.get(entry.name)
    row = {name: array[TEST_ROWS - 1 : TEST_ROWS] for name, array in inputs.items()}
    assert_outputs_match(entry.name, onnx_tool.run(model, row, tmp_path), onnxruntime_outputs(model, row, classes))


@pytest.mark.parametrize("entry", ZOO, ids=[entry.name for entry in ZOO])
def test_info_describes_zoo_model(entry, zoo: Zoo, onnx_tool: HotswapOnnx) -> None:
    model, inputs, classes = zoo.get(entry.name)
    graph = onnx.load(str(model)).graph
    info = onnx_tool.info(model)
    assert [i["name"] for i in info["inputs"]] == [i.name for i in graph.input]
    assert [o["name"] for o in info["outputs"]] == [o.name for o in graph.output]
    assert [i["datatype"] for i in info["inputs"]] == [
        "BYTES" if a.dtype.kind in "OUS" else "FP32" for a in inputs.values()
    ]
    for described in info["inputs"]:
        assert described["shape"][0] == -1, f"batch dimension of {described['name']} should be dynamic"
    assert info["task"]["kind"] == ("regressor" if classes is None else "classifier")
    # The operator list's exact form is the tool's choice; every operator the graph uses must be named.
    listed = json.dumps(info["operators"])
    for op_type in {node.op_type for node in graph.node}:
        assert re.search(rf"\b{op_type}\b", listed), f"info does not list operator {op_type}: {listed}"


def _rows_like(load, count: int, seed: int) -> np.ndarray:
    """`count` rows drawn around the dataset's own rows (jittered), so every region is exercised."""
    x = load().data
    rng = np.random.RandomState(seed)
    picked = x[rng.randint(0, len(x), count)]
    return (picked + rng.randn(*picked.shape) * x.std(axis=0) * 0.1).astype(np.float32)


@pytest.mark.parametrize(("name", "version", "load"), REPOSITORY_MODELS,
                         ids=[f"{n}-{v}" for n, v, _ in REPOSITORY_MODELS])
def test_repository_model_matches_onnxruntime(name, version, load, onnx_tool: HotswapOnnx,
                                              tmp_path: pathlib.Path) -> None:
    model = REPO / "models" / name / version / "model.onnx"
    card = json.loads((model.parent / "model.json").read_text())
    inputs = {"X": _rows_like(load, TEST_ROWS, 3)}
    classes = list(range(len(card["class_labels"]))) if card["class_labels"] else None
    reference = onnxruntime_outputs(model, inputs, classes)
    ours = onnx_tool.run(model, inputs, tmp_path)
    assert_outputs_match(f"{name}/{version}", ours, reference)
    info = onnx_tool.info(model)
    assert info["metadata"]["model_version"] == version
    assert json.loads(info["metadata"]["feature_names"]) == card["feature_names"]
