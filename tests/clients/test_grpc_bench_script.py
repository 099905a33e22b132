"""Smoke test of bench/grpc/bench_grpc.py on the debug build: hotswap and both reference servers
pass the grpcio spot checks, every run completes without failed requests, the report is whole.
The script (and so every server it starts) runs as the unprivileged service user."""

import json
import pathlib
import shutil
import subprocess
import sys

import pytest
from process_support import as_service_user, service_directory


@pytest.fixture
def tmp_path():
    """A folder the service user may write the report to."""
    path = service_directory("hotswap-bench-grpc-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_grpc_bench_script_writes_a_report(repo_root: pathlib.Path, bin_dir: pathlib.Path, tmp_path: pathlib.Path):
    out = tmp_path / "grpc.json"
    done = subprocess.run(
        as_service_user(
            [sys.executable, str(repo_root / "bench/grpc/bench_grpc.py"), "--bin", str(bin_dir / "hotswap"),
             "--reference-bin", str(bin_dir / "grpc-reference"), "--rounds", "1", "--requests", "300",
             "--seconds", "1", "--grpc-connections", "1,2", "--latency-calls", "50", "--out", str(out)]
        ),
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "of bare grpc-swift-2" in done.stdout
    report = json.loads(out.read_text())
    results = report["results"]
    per_connection = ["grpc_predict", "grpc_model_infer", "reference_grpc_swift_predict", "reference_nio_http2_predict"]
    runs = ["rest_predict"] + per_connection + [name + "_2_connections" for name in per_connection]
    assert sorted(results) == sorted(runs)
    for name in runs:
        assert results[name]["requests_per_second"] > 0, name
        assert results[name]["failed"] == 0, name
        assert results[name]["server_cpu_us_per_call"] > 0, name
    for name in runs[1:]:
        assert results[name]["ratio_to_rest"] > 0
        assert isinstance(results[name]["meets_target"], bool)
    assert results["grpc_predict"]["ratio_to_grpc_swift_reference"] > 0
    assert results["grpc_predict_2_connections"]["ratio_to_nio_http2_reference"] > 0
    latency = report["single_call_latency"]
    assert latency["grpcio_predict"]["calls"] == 50 and latency["http_client_rest_predict"]["p50_ms"] > 0
    assert latency["grpcio_predict_nio_http2_reference"]["p50_ms"] > 0
    assert set(report["targets"]) >= {"predict_vs_rest_one_connection", "grpcio_single_call_below_http_client"}
