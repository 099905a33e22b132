"""Models for the shadow tests and benchmark. The slow shadow is a very large tree ensemble:
`trees` chains of `depth` comparisons each (every comparison's other branch a leaf), built with
the `onnx` helpers — no training, byte-for-byte the same every time. Every iris-sized input walks
every chain to its end, so its run time grows with trees × depth: as slow as a test needs. Four
float features in; a label and three class probabilities out, like the iris models."""

from __future__ import annotations

import json
import pathlib

import onnx
from onnx import TensorProto, helper


def write_slow_model(path: pathlib.Path, trees: int = 3000, depth: int = 60) -> None:
    """Writes the ensemble to `path` (parents created)."""
    tree_ids, node_ids, features, values, modes, true_ids, false_ids = [], [], [], [], [], [], []
    class_trees, class_nodes, class_ids, class_weights = [], [], [], []
    for tree in range(trees):
        for node in range(depth):
            tree_ids.append(tree)
            node_ids.append(node)
            features.append(node % 4)
            values.append(1000.0)
            modes.append("BRANCH_LEQ")
            true_ids.append(node + 1 if node + 1 < depth else depth)
            false_ids.append(depth + 1 + node)
        leaves = [(depth, tree % 3)] + [(depth + 1 + node, 0) for node in range(depth)]
        for leaf, label in leaves:
            tree_ids.append(tree)
            node_ids.append(leaf)
            features.append(0)
            values.append(0.0)
            modes.append("LEAF")
            true_ids.append(0)
            false_ids.append(0)
            class_trees.append(tree)
            class_nodes.append(leaf)
            class_ids.append(label)
            class_weights.append(1.0 / trees)
    node = helper.make_node(
        "TreeEnsembleClassifier",
        ["X"],
        ["label", "probabilities"],
        domain="ai.onnx.ml",
        classlabels_int64s=[0, 1, 2],
        nodes_treeids=tree_ids,
        nodes_nodeids=node_ids,
        nodes_featureids=features,
        nodes_values=values,
        nodes_modes=modes,
        nodes_truenodeids=true_ids,
        nodes_falsenodeids=false_ids,
        nodes_hitrates=[1.0] * len(tree_ids),
        nodes_missing_value_tracks_true=[0] * len(tree_ids),
        class_treeids=class_trees,
        class_nodeids=class_nodes,
        class_ids=class_ids,
        class_weights=class_weights,
        post_transform="NONE",
    )
    graph = helper.make_graph(
        [node],
        "slow_ensemble",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3]),
        ],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
        producer_name="hotswap-tests",
    )
    model.ir_version = 8
    for key, value in (
        ("model_version", "v9.0.0-slow"),
        ("feature_names", json.dumps(["sepal_length", "sepal_width", "petal_length", "petal_width"])),
    ):
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())


if __name__ == "__main__":
    import sys

    write_slow_model(pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
