"""The guard's test model, built with the `onnx` helpers: four float features in, one float out.
It reads the first feature as an index into a table of ten values (Gather), so a first feature of
10 or more makes inference fail at run time — a server-side error, exactly what the guard counts."""

from __future__ import annotations

import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def write_failing_model(path: pathlib.Path) -> None:
    """Writes the model to `path` (parents created)."""
    features = helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 4])
    output = helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])
    column = numpy_helper.from_array(np.array([0], dtype=np.int64), "first_column")
    table = numpy_helper.from_array(np.arange(10, dtype=np.float32), "table")
    nodes = [
        helper.make_node("Gather", ["input", "first_column"], ["first"], axis=1),
        helper.make_node("Cast", ["first"], ["index"], to=TensorProto.INT64),
        helper.make_node("Gather", ["table", "index"], ["variable"], axis=0),
    ]
    graph = helper.make_graph(nodes, "fails_on_large_first_feature", [features], [output], [column, table])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="hotswap-tests")
    model.ir_version = 8
    entry = model.metadata_props.add()
    entry.key = "model_version"
    entry.value = "v9.9.9"
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
