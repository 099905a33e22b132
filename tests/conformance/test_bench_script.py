"""Smoke test of bench/onnx/bench_onnx.py: it runs end to end and writes a complete report."""

import json
import pathlib
import subprocess
import sys

from onnx_tool import HotswapOnnx


def test_bench_script_writes_a_report(repo_root: pathlib.Path, onnx_tool: HotswapOnnx, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "onnx.json"
    done = subprocess.run(
        [sys.executable, str(repo_root / "bench/onnx/bench_onnx.py"), "--bin-dir", str(onnx_tool.executable.parent),
         "--seconds", "0.05", "--rounds", "1", "--models", "iris-logreg", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "iris-logreg" in done.stdout
    report = json.loads(out.read_text())
    measured = report["models"]["iris-logreg"]
    for batch in ("batch_1", "batch_1000"):
        for runtime in ("onnxruntime", "hotswap"):
            assert measured[batch][runtime]["calls"] > 0
            assert measured[batch][runtime]["rows_per_second"] > 0
    assert measured["latency_ratio"] > 0 and measured["throughput_ratio"] > 0
    assert isinstance(report["all_targets_met"], bool)
