"""`GET /metrics` on the real server: valid for `promtool check metrics`, every family present with
the labels the issue names, counters that follow requests and plan changes."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from observability_server import save, config_text, wait_until

FAMILIES = {
    "predict_requests_total": "counter",
    "predict_errors_total": "counter",
    "prediction_latency_seconds": "histogram",
    "hotswap_traffic_share": "gauge",
    "hotswap_plan_generation": "gauge",
    "hotswap_plan_reloads_total": "counter",
    "hotswap_model_load_seconds": "gauge",
    "hotswap_slot_ready": "gauge",
    "hotswap_guard_trips_total": "counter",
    "hotswap_rollout_step": "gauge",
    "hotswap_prediction_log_lines_total": "counter",
}


def metrics(server) -> str:
    code, headers, body = server.request("GET", "/metrics")
    assert code == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    return body.decode()


def sample(text: str, name: str, **labels) -> float | None:
    """The value of the one series of `name` whose labels include `labels`."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.fixture
def served(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(
            repo_root,
            "iris/v1.0.0/model.onnx",
            "iris/v1.1.0/model.onnx",
            "blue = 75\ngreen = 25",
            '[guard]\nmax_error_rate = 0.5\n',
        )
    )
    return start_server(config), config


def test_promtool_accepts_the_exposition(served):
    server, _ = served
    for _ in range(40):
        assert server.predict((5.1, 3.5, 1.4, 0.2))[0] == 200
    text = metrics(server)
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing (Debian package prometheus)"
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    for name, kind in FAMILIES.items():
        assert f"# TYPE {name} {kind}\n" in text, name


def test_counters_follow_requests_and_plan_changes(served):
    server, config = served
    for _ in range(40):
        server.predict((5.1, 3.5, 1.4, 0.2))
    text = metrics(server)
    blue = sample(text, "predict_requests_total", slot="blue", version="v1.0.0", protocol="rest", endpoint="predict")
    green = sample(text, "predict_requests_total", slot="green", version="v1.1.0", protocol="rest", endpoint="predict")
    assert (blue, green) == (30, 10)
    assert sample(text, "predict_errors_total", slot="blue") == 0
    assert sample(text, "prediction_latency_seconds_count", slot="green") == 10
    assert sample(text, "prediction_latency_seconds_bucket", slot="green", le="+Inf") == 10
    assert re.search(r'prediction_latency_seconds_bucket\{[^}]*le="0\.00005"\}', text)
    assert re.search(r'prediction_latency_seconds_bucket\{[^}]*le="5\.0"\}', text)
    assert sample(text, "hotswap_traffic_share", slot="blue") == 0.75
    assert sample(text, "hotswap_slot_ready", slot="green", version="v1.1.0") == 1
    assert sample(text, "hotswap_plan_reloads_total", result="applied") == 1
    generation = sample(text, "hotswap_plan_generation")

    save(config, config.read_text().replace("blue = 75\ngreen = 25", "blue = 0\ngreen = 100"))
    wait_until(lambda: server.share("green") == 1, 10, "the new weights")
    save(config, config.read_text() + "\n[slots.red]\n")
    wait_until(lambda: server.status()["last_error"] is not None, 10, "the rejection")
    text = metrics(server)
    assert sample(text, "hotswap_plan_reloads_total", result="applied") == 2
    assert sample(text, "hotswap_plan_reloads_total", result="rejected") == 1
    assert sample(text, "hotswap_plan_generation") == generation + 1
    assert sample(text, "hotswap_traffic_share", slot="green") == 1
    assert sample(text, "hotswap_rollout_step") == 0


def test_no_metrics_turns_the_path_off(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(config_text(repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 1"))
    server = start_server(config, args=("--no-metrics",))
    assert server.predict((5.1, 3.5, 1.4, 0.2))[0] == 200
    code, _, body = server.request("GET", "/metrics")
    assert code == 404 and b"--no-metrics" in body
    assert server.status()["metrics_enabled"] is False
