"""Missing values from tritonclient's JSON mode: NumPy NaN (and ±Infinity) travel as the literals
`NaN`, `Infinity`, `-Infinity`, as Triton reads and writes them. Two wine models that handle
missing values — a pipeline with an imputer and a NaN-routing tree ensemble — are trained here
reproducibly (fixed seeds, scikit-learn's bundled wine data, pinned converter), served by
`hotswap serve` as the service user, and must answer exactly as onnxruntime does."""

import http.client
import os
import pathlib
import shutil
import subprocess

import numpy as np
import onnxruntime
import pytest
import tritonclient.http as httpclient
from process_support import as_service_user, free_port, hand_to_service_user, service_directory, wait_until
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

# skl2onnx's histogram-gradient-boosting converter passes booleans to onnx.helper (onnx warns).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
MODELS = {
    # slot: (version, estimator)
    "imputer": (
        "imputer-v1",
        lambda: Pipeline(
            [
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(max_iter=2000, random_state=0)),
            ]
        ),
    ),
    "trees": ("trees-v1", lambda: HistGradientBoostingClassifier(max_iter=40, random_state=0)),
}


def wine_with_gaps(seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's wine data as float32 with 10 % of the values missing (NaN)."""
    data = load_wine()
    x = data.data.astype(np.float32)
    x[np.random.RandomState(seed).rand(*x.shape) < 0.1] = np.nan
    return x, data.target


def export(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    x, y = wine_with_gaps()
    paths = {}
    for slot, (_, build) in MODELS.items():
        model = build().fit(x, y)
        final = model.steps[-1][1] if isinstance(model, Pipeline) else model
        onx = convert_sklearn(
            model,
            initial_types=[("X", FloatTensorType([None, x.shape[1]]))],
            target_opset=TARGET_OPSET,
            options={id(final): {"zipmap": False}},
        )
        path = folder / slot / "model.onnx"
        path.parent.mkdir(parents=True)
        path.write_bytes(onx.SerializeToString())
        paths[slot] = path
    return paths


class NaNServer:
    """`hotswap serve` as the service user with both wine models, `imputer` taking the traffic."""

    def __init__(self, bin_dir: pathlib.Path):
        self.directory = service_directory("hotswap-nan-")
        self.paths = export(self.directory)
        lines = ['[server]\nmodel_name = "wine"\n']
        for slot, (version, _) in MODELS.items():
            lines.append(f'[slots.{slot}]\nmodel = "{self.paths[slot]}"\nversion = "{version}"\n')
        lines.append("[traffic]\nimputer = 1\ntrees = 0\n")
        (self.directory / "active.toml").write_text("\n".join(lines))
        hand_to_service_user(self.directory)
        self.port = free_port()
        self.log = open(self.directory / "serve.log", "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LISTEN_", "NOTIFY_", "WATCHDOG_"))}
        self.process = subprocess.Popen(
            as_service_user(
                [str(bin_dir / "hotswap"), "serve", "--config", str(self.directory / "active.toml"),
                 "--listen", f"127.0.0.1:{self.port}"]
            ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        wait_until(self.ready, 60, "hotswap serving the wine models")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"hotswap exited: {(self.directory / 'serve.log').read_text()[-2000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/v2/health/ready")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def nan_server(bin_dir):
    server = NaNServer(bin_dir)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(nan_server):
    client = httpclient.InferenceServerClient(f"127.0.0.1:{nan_server.port}")
    yield client
    client.close()


def rows_with(values) -> np.ndarray:
    """Held-out-like wine rows (the data's first, middle and last) with `values` written over the
    first few features of each."""
    x, _ = wine_with_gaps(seed=99)
    rows = np.nan_to_num(x[[0, 60, 120, 177]], nan=0.0).astype(np.float32)
    for row in rows:
        row[: len(values)] = values
    return rows


def infer_json(client, slot: str, rows: np.ndarray):
    tensor = httpclient.InferInput("X", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows, binary_data=False)
    outputs = [httpclient.InferRequestedOutput(name, binary_data=False) for name in ("label", "probabilities")]
    return client.infer("wine", [tensor], model_version=MODELS[slot][0], outputs=outputs)


def reference(path: pathlib.Path, rows: np.ndarray):
    return onnxruntime.InferenceSession(str(path)).run(["label", "probabilities"], {"X": rows})


@pytest.mark.parametrize("slot", list(MODELS))
@pytest.mark.parametrize(
    "values",
    [[np.nan], [np.nan, np.nan, np.nan], [np.nan] * 13],
    ids=["one NaN", "three NaN", "all NaN"],
)
def test_missing_values_in_json_mode_match_onnxruntime(client, nan_server, slot, values):
    rows = rows_with(values)
    result = infer_json(client, slot, rows)
    want_label, want_probabilities = reference(nan_server.paths[slot], rows)
    assert result.get_response()["model_version"] == MODELS[slot][0]
    assert result.as_numpy("label").tolist() == want_label.tolist()
    np.testing.assert_allclose(result.as_numpy("probabilities"), want_probabilities, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("values", [[np.inf], [-np.inf], [np.inf, -np.inf, np.nan]], ids=["+inf", "-inf", "mixed"])
def test_infinite_values_reach_the_tree_ensemble_as_onnxruntime_reads_them(client, nan_server, values):
    """Trees compare an infinity with their thresholds like any number: a defined result."""
    rows = rows_with(values)
    result = infer_json(client, "trees", rows)
    want_label, want_probabilities = reference(nan_server.paths["trees"], rows)
    assert result.as_numpy("label").tolist() == want_label.tolist()
    np.testing.assert_allclose(result.as_numpy("probabilities"), want_probabilities, rtol=1e-5, atol=1e-6)


def test_non_finite_outputs_come_back_as_literals(nan_server):
    """An infinite feature through the scaler and logistic regression gives NaN probabilities in
    onnxruntime; the JSON response carries them as `NaN`, which tritonclient turns back into NaN."""
    rows = rows_with([np.inf])
    want_label, want_probabilities = reference(nan_server.paths["imputer"], rows)
    client = httpclient.InferenceServerClient(f"127.0.0.1:{nan_server.port}")
    try:
        result = infer_json(client, "imputer", rows)
    finally:
        client.close()
    got = result.as_numpy("probabilities")
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want_probabilities))
    np.testing.assert_allclose(got, want_probabilities, rtol=1e-5, atol=1e-6)
