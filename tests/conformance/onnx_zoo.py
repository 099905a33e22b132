"""The conformance model zoo: small scikit-learn models of every kind ONNX-OPS.md lists (except KNN).

Each entry trains a modest model on synthetic data (fixed seeds), converts it with skl2onnx and
provides 1 000 test rows. Classifiers come in two variants, ZipMap on (skl2onnx's default graph)
and off (``zipmap: False``). Entries whose model handles missing values get NaN in their test rows.
"""

from __future__ import annotations

import dataclasses
import pathlib
import warnings
from typing import Any, Callable

import numpy as np
import onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.base import BaseEstimator, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier

TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
TRAIN_ROWS = 300
TEST_ROWS = 1000
FEATURES = 6
NAN_FRACTION = 0.1


@dataclasses.dataclass(frozen=True)
class Fitted:
    """A trained estimator, how to declare its ONNX inputs, and the rows to run through it."""

    estimator: BaseEstimator
    initial_types: list[tuple[str, Any]]
    inputs: dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """One model of the zoo; `zipmap` is None for regressors."""

    name: str
    train: Callable[[], Fitted]
    zipmap: bool | None = None
    has_nan: bool = False


def _classification(classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_classification(
        n_samples=TRAIN_ROWS + TEST_ROWS,
        n_features=FEATURES,
        n_informative=4,
        n_redundant=1,
        n_classes=classes,
        n_clusters_per_class=1,
        class_sep=0.8,
        random_state=seed,
    )
    # Uneven column scales so that scalers and thresholds matter.
    x = x * np.array([1.0, 10.0, 0.1, 100.0, 3.0, 0.5])[:FEATURES] + np.arange(FEATURES)
    return x.astype(np.float32), y


def _regression(targets: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_regression(
        n_samples=TRAIN_ROWS + TEST_ROWS, n_features=FEATURES, n_informative=5, n_targets=targets, noise=5.0,
        random_state=seed,
    )
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    return x.astype(np.float32), y


def _with_nan(x: np.ndarray, seed: int) -> np.ndarray:
    out = x.copy()
    out[np.random.RandomState(seed).rand(*out.shape) < NAN_FRACTION] = np.nan
    return out


def _dense(make_data: Callable[[], tuple[np.ndarray, np.ndarray]], estimator: Callable[[], BaseEstimator],
           nan: bool = False) -> Callable[[], Fitted]:
    """A trainer for a model with one float input `X: [N, F]`."""

    def train() -> Fitted:
        x, y = make_data()
        if nan:
            x = _with_nan(x, 7)
        model = estimator()
        model.fit(x[:TRAIN_ROWS], y[:TRAIN_ROWS])
        return Fitted(model, [("X", FloatTensorType([None, x.shape[1]]))], {"X": x[TRAIN_ROWS:]})

    return train


def _relabelled(make_data: Callable[[], tuple[np.ndarray, np.ndarray]], labels: list[Any]
                ) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """The same data with class k renamed to labels[k] (strings, or integers other than 0…C-1)."""

    def data() -> tuple[np.ndarray, np.ndarray]:
        x, y = make_data()
        return x, np.array(labels)[y]

    return data


def _mixed_columns(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three numeric columns with NaN, two string columns with "" as missing and unseen test values."""
    rng = np.random.RandomState(seed)
    n = TRAIN_ROWS + TEST_ROWS
    num = (rng.randn(n, 3) * np.array([1.0, 5.0, 0.2]) + np.array([0.0, 10.0, -1.0])).astype(np.float32)
    colour = rng.choice(["red", "green", "blue", ""], n)
    size = rng.choice(["S", "M", "L", "XL"], n)
    # Categories the encoder never saw in training: OneHotEncoder(handle_unknown="ignore") gives zeros.
    colour[TRAIN_ROWS:][rng.rand(TEST_ROWS) < 0.05] = "purple"
    size[TRAIN_ROWS:][rng.rand(TEST_ROWS) < 0.05] = "XXS"
    score = num[:, 0] + 0.2 * (num[:, 1] - 10) + (colour == "red") - (size == "S") + 0.5 * rng.randn(n)
    y = np.digitize(score, [-0.5, 0.7])
    num = _with_nan(num, seed + 1)
    cat = np.stack([colour, size], axis=1).astype(object)
    return num, cat, y


def _column_transformer() -> Pipeline:
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(missing_values="", strategy="constant", fill_value="missing")),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    transform = ColumnTransformer([("num", numeric, [0, 1, 2]), ("cat", categorical, [3, 4])])
    return Pipeline([("prep", transform), ("lr", LogisticRegression(max_iter=1000))])


def _train_column_transformer(per_column: bool) -> Callable[[], Fitted]:
    """The ColumnTransformer pipeline, with one `[N,1]` input per column or a float and a string block."""

    def train() -> Fitted:
        num, cat, y = _mixed_columns(11)
        x = np.empty((num.shape[0], 5), dtype=object)
        x[:, :3] = num
        x[:, 3:] = cat
        model = _column_transformer()
        model.fit(x[:TRAIN_ROWS], y[:TRAIN_ROWS])
        test_num, test_cat = num[TRAIN_ROWS:], cat[TRAIN_ROWS:].astype(str)
        if per_column:
            types = [(f"num{i}", FloatTensorType([None, 1])) for i in range(3)]
            types += [(f"cat{i}", StringTensorType([None, 1])) for i in range(2)]
            inputs = {f"num{i}": test_num[:, i : i + 1] for i in range(3)}
            inputs.update({f"cat{i}": test_cat[:, i : i + 1] for i in range(2)})
        else:
            types = [("num", FloatTensorType([None, 3])), ("cat", StringTensorType([None, 2]))]
            inputs = {"num": test_num, "cat": test_cat}
        return Fitted(model, types, inputs)

    return train


def _binary() -> tuple[np.ndarray, np.ndarray]:
    return _classification(2, 1)


def _multiclass() -> tuple[np.ndarray, np.ndarray]:
    return _classification(3, 2)


def _four_classes() -> tuple[np.ndarray, np.ndarray]:
    return _classification(4, 3)


def _single_target() -> tuple[np.ndarray, np.ndarray]:
    return _regression(1, 4)


def _two_targets() -> tuple[np.ndarray, np.ndarray]:
    return _regression(2, 5)


def _mlp(activation: str, hidden: tuple[int, ...] = (16,)) -> Callable[[], BaseEstimator]:
    return lambda: Pipeline(
        [("scale", StandardScaler()),
         ("mlp", MLPClassifier(hidden_layer_sizes=hidden, activation=activation, max_iter=300, random_state=0))]
    )


CLASSIFIERS: list[tuple[str, Callable[[], Fitted], bool]] = [
    ("logreg-binary", _dense(_binary, lambda: LogisticRegression(max_iter=1000)), False),
    ("logreg-multiclass", _dense(_multiclass, lambda: LogisticRegression(max_iter=1000)), False),
    ("logreg-string-labels", _dense(_relabelled(_four_classes, ["alpha", "beta", "gamma", "delta"]), lambda: LogisticRegression(max_iter=1000)), False),
    ("scaler-logreg-multiclass",
     _dense(_multiclass, lambda: Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=1000))])),
     False),
    ("random-forest-binary", _dense(_binary, lambda: RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0)),
     False),
    ("random-forest-multiclass",
     _dense(_multiclass, lambda: RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0)), False),
    ("decision-tree-binary", _dense(_binary, lambda: DecisionTreeClassifier(max_depth=8, random_state=0)), False),
    ("decision-tree-multiclass", _dense(_multiclass, lambda: DecisionTreeClassifier(max_depth=8, random_state=0)), False),
    ("hist-gradient-boosting-binary",
     _dense(_binary, lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0), nan=True), True),
    ("hist-gradient-boosting-multiclass",
     _dense(_multiclass, lambda: HistGradientBoostingClassifier(max_iter=20, random_state=0), nan=True), True),
    ("gradient-boosting-binary",
     _dense(_binary, lambda: GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0)), False),
    ("gradient-boosting-multiclass",
     _dense(_multiclass, lambda: GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0)), False),
    ("mlp-relu-binary", _dense(_binary, _mlp("relu")), False),
    ("mlp-tanh-binary", _dense(_binary, _mlp("tanh")), False),
    ("mlp-logistic-binary", _dense(_binary, _mlp("logistic")), False),
    ("mlp-relu-multiclass", _dense(_multiclass, _mlp("relu", (16, 8))), False),
    ("svc-binary", _dense(_binary, lambda: Pipeline([("scale", StandardScaler()),
                                                      ("svc", SVC(probability=True, random_state=0))])), False),
    ("svc-multiclass", _dense(_multiclass, lambda: Pipeline([("scale", StandardScaler()),
                                                              ("svc", SVC(probability=True, random_state=0))])), False),
    ("random-forest-string-labels-binary",
     _dense(_relabelled(_binary, ["no", "yes"]), lambda: RandomForestClassifier(n_estimators=10, random_state=0)),
     False),
    ("gradient-boosting-string-labels-multiclass",
     _dense(_relabelled(_multiclass, ["a", "b", "c"]),
            lambda: GradientBoostingClassifier(n_estimators=10, random_state=0)), False),
    ("decision-tree-int-labels-3-7", _dense(_relabelled(_binary, [3, 7]),
                                            lambda: DecisionTreeClassifier(max_depth=6, random_state=0)), False),
    ("logreg-binary-int-labels-minus1-plus1",
     _dense(_relabelled(_binary, [-1, 1]), lambda: LogisticRegression(max_iter=1000)), False),
    ("mlp-string-labels-multiclass", _dense(_relabelled(_multiclass, ["x", "y", "z"]), _mlp("relu")), False),
    ("mlp-string-labels-binary", _dense(_relabelled(_binary, ["neg", "pos"]), _mlp("tanh")), False),
    ("svc-string-labels-multiclass",
     _dense(_relabelled(_multiclass, ["p", "q", "r"]),
            lambda: Pipeline([("scale", StandardScaler()), ("svc", SVC(probability=True, random_state=0))])), False),
    ("column-transformer-per-column", _train_column_transformer(per_column=True), True),
    ("column-transformer-blocks", _train_column_transformer(per_column=False), True),
]

# Classifiers without probabilities: skl2onnx offers no ZipMap for them; scores use post_transform NONE.
SCORE_CLASSIFIERS: list[tuple[str, Callable[[], Fitted], bool]] = [
    ("linear-svc-binary", _dense(_binary, lambda: LinearSVC(random_state=0)), False),
    ("linear-svc-multiclass", _dense(_multiclass, lambda: LinearSVC(random_state=0)), False),
]

REGRESSORS: list[tuple[str, Callable[[], Fitted], bool]] = [
    ("random-forest-regressor",
     _dense(_single_target, lambda: RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0)), False),
    ("random-forest-regressor-two-targets",
     _dense(_two_targets, lambda: RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0)), False),
    ("gradient-boosting-regressor",
     _dense(_single_target, lambda: GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0)), False),
    ("hist-gradient-boosting-regressor",
     _dense(_single_target, lambda: HistGradientBoostingRegressor(max_iter=30, random_state=0), nan=True), True),
    ("linear-regression", _dense(_single_target, LinearRegression), False),
    ("linear-regression-two-targets", _dense(_two_targets, LinearRegression), False),
    ("ridge", _dense(_single_target, lambda: Ridge(alpha=1.0)), False),
    ("mlp-regressor", _dense(_single_target, lambda: Pipeline(
        [("scale", StandardScaler()), ("mlp", MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0))]
    )), False),
    ("svr", _dense(_single_target, lambda: Pipeline([("scale", StandardScaler()), ("svr", SVR(C=1.0))])), False),
]


def entries() -> list[ZooEntry]:
    """Every zoo model: classifiers with ZipMap on and off, score-only classifiers, then regressors."""
    zoo = []
    for name, train, nan in CLASSIFIERS:
        zoo.append(ZooEntry(f"{name}-zipmap", train, zipmap=True, has_nan=nan))
        zoo.append(ZooEntry(f"{name}-tensor", train, zipmap=False, has_nan=nan))
    zoo.extend(ZooEntry(name, train, has_nan=nan) for name, train, nan in SCORE_CLASSIFIERS + REGRESSORS)
    return zoo


def _final_step(model: BaseEstimator) -> BaseEstimator:
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def build(entry: ZooEntry, fitted: Fitted | None = None) -> tuple[onnx.ModelProto, Fitted]:
    """Train (unless given the trained model) and convert one entry."""
    with warnings.catch_warnings():
        # Small training sets and SVC(probability=True) (deprecated in 1.9, still converted) warn.
        warnings.simplefilter("ignore")
        fitted = fitted or entry.train()
        options = None
        if entry.zipmap is False and is_classifier(fitted.estimator):
            options = {id(_final_step(fitted.estimator)): {"zipmap": False}}
        onx = convert_sklearn(
            fitted.estimator, initial_types=fitted.initial_types, target_opset=TARGET_OPSET, options=options
        )
    return onx, fitted


def with_threshold_rows(onx: onnx.ModelProto, inputs: dict[str, np.ndarray], rows: int = 300) -> dict[str, np.ndarray]:
    """For a tree ensemble reading `X` directly, set features of the first `rows` rows to split thresholds.

    A value exactly on a threshold separates BRANCH_LEQ from BRANCH_LT and float32 from float64
    comparisons, which random rows almost never hit.
    """
    trees = [n for n in onx.graph.node if n.op_type.startswith("TreeEnsemble") and list(n.input) == ["X"]]
    if not trees or "X" not in inputs:
        return inputs
    attributes = {a.name: onnx.helper.get_attribute_value(a) for a in trees[0].attribute}
    branches = [(int(f), np.float32(v)) for f, v, mode in
                zip(attributes["nodes_featureids"], attributes["nodes_values"], attributes["nodes_modes"])
                if mode != b"LEAF"]
    x = inputs["X"].copy()
    rng = np.random.RandomState(13)
    for row in range(min(rows, len(x))):
        for pick in rng.randint(0, len(branches), 3):
            feature, threshold = branches[pick]
            x[row, feature] = threshold
    return {**inputs, "X": x}


class Zoo:
    """Builds zoo models on first use into a folder and keeps them for the session."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self._built: dict[str, tuple[pathlib.Path, dict[str, np.ndarray], Any]] = {}
        # The ZipMap-on and -off variants share one trained model.
        self._trained: dict[int, Fitted] = {}
        self._entries = {entry.name: entry for entry in entries()}

    def get(self, name: str) -> tuple[pathlib.Path, dict[str, np.ndarray], Any]:
        """The model's file, its test inputs, and the class labels (None for regressors)."""
        if name not in self._built:
            entry = self._entries[name]
            onx, fitted = build(entry, self._trained.get(id(entry.train)))
            self._trained[id(entry.train)] = fitted
            path = self.folder / f"{name}.onnx"
            path.write_bytes(onx.SerializeToString())
            classes = getattr(fitted.estimator, "classes_", None)
            self._built[name] = (path, with_threshold_rows(onx, fitted.inputs), classes)
        return self._built[name]
