#!/usr/bin/env python3
"""Train and export the repository's models from scikit-learn's bundled datasets.

Writes ``<out>/<name>/<version>/model.onnx`` and a ``model.json`` card beside it (dataset,
estimator, held-out metrics, sha256 of the ONNX file). Everything is deterministic: fixed
random states, a fixed train/test split, a pinned target opset, fixed producer fields and no
timestamps, so running the script twice gives byte-identical files.

Usage: .venv/bin/python tools/models/export_models.py [--out DIR]   (default: the repo's models/)
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import pathlib
from typing import Any, Callable

import numpy as np
import onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn import datasets, metrics
from sklearn.base import BaseEstimator, is_classifier
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

REPO = pathlib.Path(__file__).resolve().parents[2]
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
PRODUCER_NAME = "hotswap-export-models"
PRODUCER_VERSION = "1"
SPLIT_SEED = 42
TEST_SIZE = 0.25

IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A bundled scikit-learn dataset with the names the model cards and metadata carry."""

    name: str
    loader: str
    x: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    class_labels: list[str] | None


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One exported model: which dataset, which estimator, which version, and how to convert it."""

    name: str
    version: str
    description: str
    build: Callable[[], BaseEstimator]
    zipmap: bool = True


def load_dataset(name: str) -> Dataset:
    """Load one of the bundled datasets the repository's models are trained on."""
    if name == "iris":
        raw = datasets.load_iris()
        return Dataset("iris", "sklearn.datasets.load_iris", raw.data, raw.target, IRIS_FEATURES, IRIS_CLASSES)
    if name == "wine":
        raw = datasets.load_wine()
        labels = [str(c) for c in raw.target_names]
        return Dataset("wine", "sklearn.datasets.load_wine", raw.data, raw.target, list(raw.feature_names), labels)
    if name == "diabetes":
        raw = datasets.load_diabetes()
        return Dataset("diabetes", "sklearn.datasets.load_diabetes", raw.data, raw.target, list(raw.feature_names), None)
    raise ValueError(f"unknown dataset {name!r}")


MODELS: list[ModelSpec] = [
    ModelSpec(
        "iris",
        "v1.0.0",
        "Iris species from four flower measurements (cm): multinomial logistic regression.",
        lambda: LogisticRegression(max_iter=1000, random_state=0),
    ),
    ModelSpec(
        "iris",
        "v1.1.0",
        "Iris species from four flower measurements (cm): random forest (50 trees), probabilities as a tensor.",
        lambda: RandomForestClassifier(n_estimators=50, max_depth=4, random_state=0, n_jobs=1),
        zipmap=False,
    ),
    ModelSpec(
        "wine",
        "v1.0.0",
        "Wine cultivar from 13 chemical measurements: standard scaler + gradient boosting (100 trees).",
        lambda: Pipeline(
            [
                ("scaler", StandardScaler()),
                ("gb", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)),
            ]
        ),
    ),
    ModelSpec(
        "wine",
        "v1.1.0",
        "Wine cultivar from 13 chemical measurements: standard scaler + random forest (100 trees).",
        lambda: Pipeline(
            [
                ("scaler", StandardScaler()),
                ("rf", RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=1)),
            ]
        ),
    ),
    ModelSpec(
        "diabetes",
        "v1.0.0",
        "Diabetes disease progression one year after baseline: gradient boosting regressor (100 trees).",
        lambda: GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.1, random_state=0),
    ),
]


def final_estimator(model: BaseEstimator) -> BaseEstimator:
    """The last step of a pipeline, or the model itself."""
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def evaluate(model: BaseEstimator, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Held-out metrics, rounded so the card does not depend on the last bits of a float sum."""
    x32 = x_test.astype(np.float32)
    predicted = model.predict(x32)
    if is_classifier(model):
        return {
            "accuracy": round(float(metrics.accuracy_score(y_test, predicted)), 6),
            "macro_f1": round(float(metrics.f1_score(y_test, predicted, average="macro")), 6),
        }
    return {
        "r2": round(float(metrics.r2_score(y_test, predicted)), 6),
        "mae": round(float(metrics.mean_absolute_error(y_test, predicted)), 6),
    }


def metadata(spec: ModelSpec, data: Dataset) -> dict[str, str]:
    """The `metadata_props` every model carries (read by the server for names, labels, version)."""
    props = {
        "model_name": spec.name,
        "model_version": spec.version,
        "feature_names": json.dumps(data.feature_names),
        "description": spec.description,
    }
    if data.class_labels is not None:
        props["class_labels"] = json.dumps(data.class_labels)
    return props


def to_onnx(spec: ModelSpec, model: BaseEstimator, data: Dataset) -> onnx.ModelProto:
    """Convert with a pinned opset and fixed producer fields, then attach the metadata."""
    options = None
    if is_classifier(model) and not spec.zipmap:
        options = {id(final_estimator(model)): {"zipmap": False}}
    onx = convert_sklearn(
        model,
        name=f"{spec.name}-{spec.version}",
        initial_types=[("X", FloatTensorType([None, len(data.feature_names)]))],
        target_opset=TARGET_OPSET,
        options=options,
    )
    onx.producer_name = PRODUCER_NAME
    onx.producer_version = PRODUCER_VERSION
    onx.domain = "io.hotswap"
    onx.model_version = int(spec.version.lstrip("v").replace(".", ""))
    onx.doc_string = spec.description
    onx.graph.doc_string = ""
    # skl2onnx collects opset imports in a set (and may list a domain twice): keep one entry per
    # domain, in a fixed order, so the bytes do not depend on string hashing.
    versions: dict[str, int] = {}
    for entry in onx.opset_import:
        versions[entry.domain] = max(entry.version, versions.get(entry.domain, 0))
    del onx.opset_import[:]
    for domain, version in sorted(versions.items()):
        entry = onx.opset_import.add()
        entry.domain = domain
        entry.version = version
    del onx.metadata_props[:]
    for key, value in sorted(metadata(spec, data).items()):
        entry = onx.metadata_props.add()
        entry.key = key
        entry.value = value
    onnx.checker.check_model(onx)
    return onx


def card(spec: ModelSpec, model: BaseEstimator, data: Dataset, scores: dict[str, float], digest: str,
         onx: onnx.ModelProto, n_train: int, n_test: int) -> dict[str, Any]:
    """The `model.json` card written beside the ONNX file."""
    est = final_estimator(model)
    return {
        "name": spec.name,
        "version": spec.version,
        "description": spec.description,
        "dataset": {
            "name": data.name,
            "loader": data.loader,
            "rows_train": n_train,
            "rows_test": n_test,
            "split": {"test_size": TEST_SIZE, "random_state": SPLIT_SEED, "stratified": data.class_labels is not None},
        },
        "estimator": repr(model).replace("\n", "").replace("  ", ""),
        "estimator_class": type(est).__name__,
        "task": "classifier" if is_classifier(model) else "regressor",
        "feature_names": data.feature_names,
        "class_labels": data.class_labels,
        "input": {"name": "X", "datatype": "FP32", "shape": [-1, len(data.feature_names)]},
        "outputs": [o.name for o in onx.graph.output],
        "zipmap": spec.zipmap if is_classifier(model) else None,
        "opset": {(d.domain or "ai.onnx"): d.version for d in onx.opset_import},
        "metrics_test": scores,
        "onnx_sha256": digest,
        "library_versions": library_versions(),
    }


def library_versions() -> dict[str, str]:
    """Versions of the libraries that produced the file (pinned in tools/python/requirements.txt)."""
    import onnx as onnx_module
    import skl2onnx
    import sklearn

    return {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
            "onnx": onnx_module.__version__, "numpy": np.__version__}


def export(spec: ModelSpec, out: pathlib.Path) -> pathlib.Path:
    """Train one model, write its ONNX file and card; returns the model's folder."""
    data = load_dataset(spec.name)
    stratify = data.y if data.class_labels is not None else None
    x_train, x_test, y_train, y_test = train_test_split(
        data.x, data.y, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=stratify
    )
    model = spec.build()
    model.fit(x_train.astype(np.float32), y_train)
    onx = to_onnx(spec, model, data)
    payload = onx.SerializeToString(deterministic=True)
    folder = out / spec.name / spec.version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    info = card(spec, model, data, evaluate(model, x_test, y_test), digest, onx, len(x_train), len(x_test))
    (folder / "model.json").write_text(json.dumps(info, indent=2, sort_keys=False) + "\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "models", help="output folder (default: models/)")
    args = parser.parse_args(argv)
    for spec in MODELS:
        folder = export(spec, args.out)
        print(f"wrote {folder / 'model.onnx'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
