"""The committed models are exactly what tools/models/export_models.py produces."""

import hashlib
import json
import pathlib
import subprocess
import sys

import onnx
import pytest

MODELS = [
    ("iris", "v1.0.0"),
    ("iris", "v1.1.0"),
    ("wine", "v1.0.0"),
    ("wine", "v1.1.0"),
    ("diabetes", "v1.0.0"),
]


@pytest.fixture(scope="module")
def exported(repo_root: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("exported")
    subprocess.run(
        [sys.executable, str(repo_root / "tools/models/export_models.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.mark.parametrize(("name", "version"), MODELS, ids=[f"{n}-{v}" for n, v in MODELS])
@pytest.mark.parametrize("filename", ["model.onnx", "model.json"])
def test_export_is_byte_identical(
    repo_root: pathlib.Path, exported: pathlib.Path, name: str, version: str, filename: str
) -> None:
    committed = (repo_root / "models" / name / version / filename).read_bytes()
    fresh = (exported / name / version / filename).read_bytes()
    assert fresh == committed, f"models/{name}/{version}/{filename} differs from a fresh export"


@pytest.mark.parametrize(("name", "version"), MODELS, ids=[f"{n}-{v}" for n, v in MODELS])
def test_model_carries_its_metadata(repo_root: pathlib.Path, name: str, version: str) -> None:
    folder = repo_root / "models" / name / version
    model = onnx.load(str(folder / "model.onnx"))
    props = {p.key: p.value for p in model.metadata_props}
    assert props["model_name"] == name
    assert props["model_version"] == version
    assert props["description"]
    features = json.loads(props["feature_names"])
    assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim][1] == len(features)
    assert model.graph.input[0].name == "X"
    card = json.loads((folder / "model.json").read_text())
    assert card["onnx_sha256"] == hashlib.sha256((folder / "model.onnx").read_bytes()).hexdigest()
    assert card["feature_names"] == features
    if name == "diabetes":
        assert "class_labels" not in props
        assert card["metrics_test"]["r2"] > 0.3
    else:
        assert json.loads(props["class_labels"]) == card["class_labels"]
        assert card["metrics_test"]["accuracy"] > 0.85
    if name == "wine":
        assert len(features) == 13 and features[0] == "alcohol"
    if name == "iris":
        assert features == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
        assert json.loads(props["class_labels"]) == ["setosa", "versicolor", "virginica"]
