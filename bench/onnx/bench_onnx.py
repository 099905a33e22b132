#!/usr/bin/env python3
"""Hotswap's ONNX runtime against onnxruntime's Python API, on the same files, in the same run.

Builds four models (iris LogisticRegression, wine StandardScaler + GradientBoosting(100), wine
RandomForest(200), wine StandardScaler + MLP(64, 32)) into a temp folder, checks that
`hotswap-onnx run` agrees with onnxruntime on them, then measures, alternating the two runtimes
round by round: per-call latency at batch 1 (p50) and per-row throughput at batch 1 000. Prints a
table with ratios and targets, and writes bench/results/onnx.json.

Usage: .venv/bin/python bench/onnx/bench_onnx.py [--bin-dir DIR] [--seconds S] [--rounds R] [--ort-threads T]
Without --bin-dir it builds the release tool (`swift build -c release --product hotswap-onnx`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from typing import Any, Callable

import numpy as np
import onnxruntime
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn import datasets
from sklearn.base import BaseEstimator
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "conformance"))
from onnx_tool import HotswapOnnx, assert_outputs_match, onnxruntime_outputs, write_request  # noqa: E402

TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
LATENCY_TARGET = 1.0  # hotswap p50 at batch 1 must be below onnxruntime's
THROUGHPUT_TARGET = 0.5  # hotswap rows/s at batch 1 000 must be at least half of onnxruntime's
BIG_BATCH = 1000


@dataclasses.dataclass(frozen=True)
class BenchModel:
    """One benchmarked model: its dataset loader and estimator."""

    name: str
    load: Callable[[], Any]
    estimator: Callable[[], BaseEstimator]


MODELS = [
    BenchModel("iris-logreg", datasets.load_iris, lambda: LogisticRegression(max_iter=1000, random_state=0)),
    BenchModel(
        "wine-scaler-gb100",
        datasets.load_wine,
        lambda: Pipeline([("scale", StandardScaler()),
                          ("gb", GradientBoostingClassifier(n_estimators=100, random_state=0))]),
    ),
    BenchModel("wine-rf200", datasets.load_wine,
               lambda: RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1)),
    BenchModel(
        "wine-scaler-mlp64x32",
        datasets.load_wine,
        lambda: Pipeline([("scale", StandardScaler()),
                          ("mlp", MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=500, random_state=0))]),
    ),
]


def build_model(spec: BenchModel, folder: pathlib.Path) -> tuple[pathlib.Path, np.ndarray, list[int]]:
    """Train, convert (probabilities as a tensor, no ZipMap) and write; returns file, rows, classes."""
    data = spec.load()
    x = data.data.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = spec.estimator().fit(x, data.target)
        final = model.steps[-1][1] if isinstance(model, Pipeline) else model
        onx = convert_sklearn(model, initial_types=[("X", FloatTensorType([None, x.shape[1]]))],
                              target_opset=TARGET_OPSET, options={id(final): {"zipmap": False}})
    path = folder / f"{spec.name}.onnx"
    path.write_bytes(onx.SerializeToString())
    rng = np.random.RandomState(0)
    rows = x[rng.randint(0, len(x), BIG_BATCH)] + rng.randn(BIG_BATCH, x.shape[1]).astype(np.float32) * x.std(axis=0) * 0.1
    return path, rows.astype(np.float32), [int(c) for c in model.classes_]


def time_onnxruntime(session: onnxruntime.InferenceSession, rows: np.ndarray, seconds: float) -> dict[str, float]:
    """Call `session.run` back to back for `seconds`; per-call p50/mean and rows per second."""
    feed = {"X": rows}
    for _ in range(20):
        session.run(None, feed)
    samples = []
    clock = time.perf_counter_ns
    deadline = clock() + int(seconds * 1e9)
    while True:
        start = clock()
        session.run(None, feed)
        end = clock()
        samples.append(end - start)
        if end >= deadline:
            break
    total_s = sum(samples) / 1e9
    return {
        "calls": len(samples),
        "us_per_call_p50": statistics.median(samples) / 1e3,
        "us_per_call_mean": statistics.fmean(samples) / 1e3,
        "rows_per_second": len(rows) * len(samples) / total_s,
    }


def find_tool(bin_dir: pathlib.Path | None) -> pathlib.Path:
    """The release `hotswap-onnx`, built here unless a folder is given."""
    if bin_dir is None:
        scratch = ["--scratch-path", os.environ["HOTSWAP_SCRATCH"]] if "HOTSWAP_SCRATCH" in os.environ else []
        print("building hotswap-onnx (release)…", file=sys.stderr)
        subprocess.run(["swift", "build", "-c", "release", "--product", "hotswap-onnx", *scratch], cwd=REPO, check=True)
        out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path", *scratch], cwd=REPO, check=True,
                             capture_output=True, text=True)
        bin_dir = pathlib.Path(out.stdout.strip())
    tool = bin_dir / "hotswap-onnx"
    if not tool.exists():
        raise SystemExit(f"error: {tool} does not exist")
    return tool


def measure(tool: HotswapOnnx, path: pathlib.Path, rows: np.ndarray, args: argparse.Namespace) -> dict[str, Any]:
    """Alternate onnxruntime and hotswap for `rounds` rounds at both batch sizes; medians over rounds."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.ort_threads
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    result: dict[str, Any] = {}
    for batch in (1, BIG_BATCH):
        # Both runtimes get exactly the same rows (tree walks depend on the values).
        request = write_request(path.with_suffix(f".batch{batch}.json"), {"X": rows[:batch]})
        runs: dict[str, list[dict[str, float]]] = {"onnxruntime": [], "hotswap": []}
        for _ in range(args.rounds):
            runs["onnxruntime"].append(time_onnxruntime(session, rows[:batch], args.seconds))
            runs["hotswap"].append(tool.bench(path, batch, args.seconds, request=request))
        result[f"batch_{batch}"] = {
            runtime: {
                "us_per_call_p50": statistics.median(r["us_per_call_p50"] for r in samples),
                "us_per_call_mean": statistics.median(r["us_per_call_mean"] for r in samples),
                "rows_per_second": statistics.median(r["rows_per_second"] for r in samples),
                "calls": sum(int(r["calls"]) for r in samples),
            }
            for runtime, samples in runs.items()
        }
    small, big = result["batch_1"], result[f"batch_{BIG_BATCH}"]
    result["latency_ratio"] = small["hotswap"]["us_per_call_p50"] / small["onnxruntime"]["us_per_call_p50"]
    result["throughput_ratio"] = big["hotswap"]["rows_per_second"] / big["onnxruntime"]["rows_per_second"]
    result["latency_target_met"] = result["latency_ratio"] < LATENCY_TARGET
    result["throughput_target_met"] = result["throughput_ratio"] >= THROUGHPUT_TARGET
    return result


def print_table(results: dict[str, dict[str, Any]]) -> None:
    head = (f"{'model':22} {'ort b1 p50 µs':>14} {'hs b1 p50 µs':>13} {'ratio':>6} {'<1?':>4} "
            f"{'ort b1000 Mrows/s':>18} {'hs b1000 Mrows/s':>17} {'ratio':>6} {'≥.5?':>5}")
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        small, big = r["batch_1"], r[f"batch_{BIG_BATCH}"]
        print(f"{name:22} {small['onnxruntime']['us_per_call_p50']:14.2f} {small['hotswap']['us_per_call_p50']:13.2f} "
              f"{r['latency_ratio']:6.2f} {'yes' if r['latency_target_met'] else 'NO':>4} "
              f"{big['onnxruntime']['rows_per_second'] / 1e6:18.3f} {big['hotswap']['rows_per_second'] / 1e6:17.3f} "
              f"{r['throughput_ratio']:6.2f} {'yes' if r['throughput_target_met'] else 'NO':>5}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hotswap-onnx vs onnxruntime (Python API)")
    parser.add_argument("--bin-dir", type=pathlib.Path, help="folder with a release hotswap-onnx (default: build it)")
    parser.add_argument("--seconds", type=float, default=1.0, help="timed seconds per runtime, batch and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median is reported)")
    parser.add_argument("--ort-threads", type=int, default=0,
                        help="onnxruntime intra-op threads (default 0: onnxruntime's own default, one per core)")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "bench" / "results" / "onnx.json")
    parser.add_argument("--models", nargs="*", default=[m.name for m in MODELS], choices=[m.name for m in MODELS])
    args = parser.parse_args(argv)

    tool = HotswapOnnx(find_tool(args.bin_dir))
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as tmp:
        folder = pathlib.Path(tmp)
        for spec in (m for m in MODELS if m.name in args.models):
            path, rows, classes = build_model(spec, folder)
            # Benchmarking a runtime that gives other answers would mean nothing: check first.
            assert_outputs_match(spec.name, tool.run(path, {"X": rows}, folder),
                                 onnxruntime_outputs(path, {"X": rows}, classes))
            print(f"measuring {spec.name}…", file=sys.stderr)
            results[spec.name] = measure(tool, path, rows, args)
    print_table(results)
    report = {
        "tool": str(tool.executable),
        "onnxruntime": onnxruntime.__version__,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"seconds": args.seconds, "rounds": args.rounds, "ort_threads": args.ort_threads,
                     "big_batch": BIG_BATCH},
        "targets": {"latency_ratio_below": LATENCY_TARGET, "throughput_ratio_at_least": THROUGHPUT_TARGET},
        "models": results,
        "all_targets_met": all(r["latency_target_met"] and r["throughput_target_met"] for r in results.values()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
