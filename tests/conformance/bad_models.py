"""Broken ONNX files the runtime must refuse with an error (never a crash, a hang or a huge allocation).

Each builder returns the file's bytes. Structural cases are written with `onnx.helper`; wire-level
cases (truncated, garbage, lengths that overrun the file) are written byte by byte.
"""

from __future__ import annotations

import pathlib
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper

IR_VERSION = 8


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto],
           initializers: list[onnx.TensorProto] | None = None, opsets: dict[str, int] | None = None) -> bytes:
    graph = helper.make_graph(nodes, "broken", inputs, outputs, initializer=initializers or [])
    imports = [helper.make_opsetid(domain, version) for domain, version in (opsets or {"": 17, "ai.onnx.ml": 3}).items()]
    model = helper.make_model(graph, opset_imports=imports, ir_version=IR_VERSION, producer_name="hotswap-tests")
    return model.SerializeToString()


def _x(features: int = 4) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, features])


def _y(width: int | None = 1) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, width])


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire_type: int, payload: bytes) -> bytes:
    key = _varint((number << 3) | wire_type)
    if wire_type == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def unknown_operator() -> bytes:
    node = helper.make_node("FrobnicateTensor", ["X"], ["Y"])
    return _model([node], [_x()], [_y(4)])


def unknown_domain() -> bytes:
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain="com.example.ml")
    return _model([node], [_x()], [_y()], opsets={"": 17, "com.example.ml": 1})


def tree_ensemble_opset5() -> bytes:
    """ml opset 5 `TreeEnsemble`, which skl2onnx never emits (ONNX-OPS.md): unsupported."""
    node = helper.make_node("TreeEnsemble", ["X"], ["Y"], domain="ai.onnx.ml")
    return _model([node], [_x()], [_y()], opsets={"": 21, "ai.onnx.ml": 5})


def empty_graph() -> bytes:
    return _model([], [], [])


def undefined_output() -> bytes:
    return _model([], [_x()], [_y()])


def node_cycle() -> bytes:
    """Two nodes feeding each other: no topological order exists."""
    first = helper.make_node("Relu", ["B"], ["A"])
    second = helper.make_node("Relu", ["A"], ["B"])
    out = helper.make_node("Add", ["X", "A"], ["Y"])
    return _model([first, second, out], [_x()], [_y(4)])


def huge_initializer() -> bytes:
    """An initializer whose dims claim 2^40 × 2^20 floats with no data behind them."""
    weight = TensorProto()
    weight.name = "W"
    weight.data_type = TensorProto.FLOAT
    weight.dims.extend([1 << 40, 1 << 20])
    node = helper.make_node("MatMul", ["X", "W"], ["Y"])
    return _model([node], [_x()], [_y(None)], initializers=[weight])


def huge_reshape() -> bytes:
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1 << 40, 1 << 40])
    node = helper.make_node("Reshape", ["X", "shape"], ["Y"])
    return _model([node], [_x()], [_y(None)], initializers=[shape])


def _tree_regressor(**overrides: object) -> bytes:
    attributes: dict[str, object] = {
        "n_targets": 1,
        "nodes_treeids": [0, 0, 0],
        "nodes_nodeids": [0, 1, 2],
        "nodes_featureids": [0, 0, 0],
        "nodes_modes": ["BRANCH_LEQ", "LEAF", "LEAF"],
        "nodes_values": [0.5, 0.0, 0.0],
        "nodes_truenodeids": [1, 0, 0],
        "nodes_falsenodeids": [2, 0, 0],
        "nodes_hitrates": [1.0, 1.0, 1.0],
        "nodes_missing_value_tracks_true": [0, 0, 0],
        "target_treeids": [0, 0],
        "target_nodeids": [1, 2],
        "target_ids": [0, 0],
        "target_weights": [1.0, 2.0],
        "post_transform": "NONE",
    }
    attributes.update(overrides)
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain="ai.onnx.ml", **attributes)
    return _model([node], [_x()], [_y()], opsets={"": 17, "ai.onnx.ml": 3})


def tree_feature_out_of_range() -> bytes:
    return _tree_regressor(nodes_featureids=[1 << 40, 0, 0])


def tree_child_out_of_range() -> bytes:
    return _tree_regressor(nodes_truenodeids=[1 << 31, 0, 0])


def tree_self_loop() -> bytes:
    """A branch whose true child is itself: walking it naively never ends."""
    return _tree_regressor(nodes_truenodeids=[0, 0, 0], nodes_falsenodeids=[0, 0, 0])


def tree_mismatched_arrays() -> bytes:
    return _tree_regressor(nodes_values=[0.5])


def tree_huge_target_count() -> bytes:
    return _tree_regressor(n_targets=1 << 40)


def linear_classifier_wrong_coefficients() -> bytes:
    node = helper.make_node(
        "LinearClassifier", ["X"], ["label", "scores"], domain="ai.onnx.ml",
        coefficients=[1.0, 2.0, 3.0], intercepts=[0.0, 0.0], classlabels_ints=[0, 1], post_transform="NONE",
    )
    label = helper.make_tensor_value_info("label", TensorProto.INT64, [None])
    scores = helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, 2])
    return _model([node], [_x()], [label, scores])


def huge_reshape_inferred() -> bytes:
    """A Reshape to [-1, 2^31, 2^31]: only the run, which knows the batch size, can refuse it."""
    node = helper.make_node("Reshape", ["X", "shape"], ["Y"])
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [-1, 1 << 31, 1 << 31])
    return _model([node], [_x()], [_y(None)], initializers=[shape])


def wire_length_overruns_file() -> bytes:
    """`graph` (field 7) claims 2^40 bytes; the file ends after a few."""
    return _field(1, 0, _varint(IR_VERSION)) + _varint((7 << 3) | 2) + _varint(1 << 40) + b"\x0a\x02ab"


def wire_nested_attribute_overrun() -> bytes:
    """Consistent outer lengths, but a node attribute's packed floats claim 2^31 bytes."""
    floats = _varint((7 << 3) | 2) + _varint((1 << 31) - 1) + np.float32([1.0, 2.0]).tobytes()
    attribute = _field(1, 2, b"coefficients") + floats
    node = _field(1, 2, b"X") + _field(2, 2, b"Y") + _field(4, 2, b"LinearRegressor") + _field(5, 2, attribute)
    graph = _field(1, 2, node) + _field(2, 2, b"g")
    opset = _field(1, 2, b"ai.onnx.ml") + _field(2, 0, _varint(1))
    return _field(1, 0, _varint(IR_VERSION)) + _field(8, 2, opset) + _field(7, 2, graph)


def wire_bad_varint() -> bytes:
    """A varint that never terminates within ten bytes."""
    return _field(1, 0, _varint(IR_VERSION)) + b"\x10" + b"\xff" * 12


def wire_bad_wire_type() -> bytes:
    """Field 7 (`graph`) tagged with wire type 7, which does not exist."""
    return _field(1, 0, _varint(IR_VERSION)) + _varint((7 << 3) | 7) + b"\x00" * 8


def from_valid(valid: bytes) -> dict[str, Callable[[], bytes]]:
    """Damaged copies of a valid model file."""
    return {
        "empty-file": lambda: b"",
        "truncated-to-10-bytes": lambda: valid[:10],
        "truncated-to-half": lambda: valid[: len(valid) // 2],
        "truncated-last-byte": lambda: valid[:-1],
        "random-garbage": lambda: np.random.RandomState(0).bytes(4096),
        "text-file": lambda: b"this is not an ONNX model\n" * 20,
    }


BUILT: dict[str, Callable[[], bytes]] = {
    "unknown-operator": unknown_operator,
    "unknown-domain": unknown_domain,
    "tree-ensemble-ml-opset-5": tree_ensemble_opset5,
    "empty-graph": empty_graph,
    "undefined-output": undefined_output,
    "node-cycle": node_cycle,
    "huge-initializer-dims": huge_initializer,
    "huge-reshape-target": huge_reshape,
    "huge-reshape-inferred": huge_reshape_inferred,
    "tree-feature-id-huge": tree_feature_out_of_range,
    "tree-child-id-huge": tree_child_out_of_range,
    "tree-self-loop": tree_self_loop,
    "tree-arrays-mismatched": tree_mismatched_arrays,
    "tree-n-targets-huge": tree_huge_target_count,
    "linear-classifier-coefficients-mismatched": linear_classifier_wrong_coefficients,
    "wire-length-overruns-file": wire_length_overruns_file,
    "wire-nested-attribute-overrun": wire_nested_attribute_overrun,
    "wire-bad-varint": wire_bad_varint,
    "wire-bad-wire-type": wire_bad_wire_type,
}


def write_all(folder: pathlib.Path, valid: bytes) -> dict[str, pathlib.Path]:
    """Write every broken model into `folder`; returns name → path."""
    builders = {**from_valid(valid), **BUILT}
    paths = {}
    for name, build in builders.items():
        path = folder / f"{name}.onnx"
        path.write_bytes(build())
        paths[name] = path
    return paths

# Broken models a loader may only notice when it runs them (a Reshape's validity depends on the
# batch; an output size on n_targets × batch); every other one must already fail `info`, since a
# model that loads can be given traffic.
RUN_TIME_ONLY = {"huge-reshape-target", "huge-reshape-inferred", "tree-n-targets-huge"}
