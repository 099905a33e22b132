"""monitoring/: Prometheus scrapes Hotswap's port; every query of the Grafana dashboard (panels and
annotations) is valid PromQL (promtool) and uses only metric names the server really exports; the
panels tile Grafana's 24-column grid without overlapping; the shadow panels' agreement query
computes the agreement (a promtool rule test over known series). No Grafana runs here, so the
dashboard's shape is checked against what Grafana's dashboard JSON requires."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import yaml

from observability_server import config_text
from shadow_support import wait_for_copies

METRIC = re.compile(r"\b((?:predict|prediction|hotswap)_[a-z_]+)\b")
PANEL_TYPES = {"timeseries", "stat", "table", "row"}


def exported_names(server) -> set[str]:
    server.predict((5.1, 3.5, 1.4, 0.2))
    # The shadow's series exist once it has compared a copy.
    wait_for_copies(server, 1)
    _, _, body = server.request("GET", "/metrics")
    names = set()
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def load_dashboard(repo_root) -> dict:
    return json.loads((repo_root / "monitoring/grafana/dashboards/hotswap.json").read_text())


def dashboard_queries(repo_root) -> list[str]:
    dashboard = load_dashboard(repo_root)
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    queries += [annotation["expr"] for annotation in dashboard["annotations"]["list"]]
    return queries


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing (Debian package prometheus)"
    return path


def test_dashboard_queries_use_exported_metrics(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(
            repo_root,
            "iris/v1.0.0/model.onnx",
            "iris/v1.1.0/model.onnx",
            "blue = 1",
            '[guard]\nmax_p99_ms = 100\nmin_agreement = 0.9\n\n[shadow]\nslot = "green"\n',
        )
    )
    server = start_server(config)
    exported = exported_names(server)
    queries = dashboard_queries(repo_root)
    assert len(queries) >= 8
    used = set()
    for query in queries:
        for name in METRIC.findall(query):
            assert name in exported, f"{name} in {query!r} is not exported; exported: {sorted(exported)}"
            used.add(name)
    # Requests, p99, shares, plan changes, guard trips and the shadow are all on the dashboard.
    for needed in (
        "predict_requests_total",
        "prediction_latency_seconds_bucket",
        "hotswap_traffic_share",
        "hotswap_plan_generation",
        "hotswap_guard_trips_total",
        "hotswap_shadow_requests_total",
        "hotswap_shadow_predictions_total",
        "hotswap_shadow_disagreements_total",
        "hotswap_shadow_agreement_ratio",
        "hotswap_shadow_difference_bucket",
        "hotswap_shadow_latency_seconds_bucket",
        "hotswap_shadow_queue_depth",
    ):
        assert needed in used, needed


def test_dashboard_is_well_formed_for_grafana(repo_root, tmp_path):
    dashboard = load_dashboard(repo_root)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard["panels"]:
        assert panel["type"] in PANEL_TYPES, panel["type"]
        assert panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']!r} overlaps {cells[(x, y)]!r}"
                cells[(x, y)] = panel["title"]
        refs = [target["refId"] for target in panel.get("targets", [])]
        assert len(refs) == len(set(refs)), panel["title"]
        assert (panel["type"] == "row") == (not refs), panel["title"]
    # Every query is PromQL promtool accepts: each one as a recording rule, checked.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:query_{n}", "expr": q} for n, q in enumerate(dashboard_queries(repo_root))],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_agreement_panel_computes_the_agreement(repo_root, tmp_path):
    panel = next(p for p in load_dashboard(repo_root)["panels"] if p["title"] == "Shadow agreement")
    window, rate_based = (target["expr"] for target in panel["targets"])
    assert window == "hotswap_shadow_agreement_ratio"
    # 600 predictions a minute, 12 of them disagreeing: 98 % agreement.
    (tmp_path / "rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "shadow", "rules": [{"record": "agreement", "expr": rate_based}]}]})
    )
    (tmp_path / "test.yml").write_text(
        yaml.safe_dump(
            {
                "rule_files": ["rules.yml"],
                "evaluation_interval": "1m",
                "tests": [
                    {
                        "interval": "1m",
                        "input_series": [
                            {"series": 'hotswap_shadow_predictions_total{slot="green"}', "values": "0+600x10"},
                            {"series": 'hotswap_shadow_disagreements_total{slot="green"}', "values": "0+12x10"},
                        ],
                        "promql_expr_test": [
                            {"expr": "agreement", "eval_time": "10m", "exp_samples": [{"labels": 'agreement{slot="green"}', "value": 0.98}]}
                        ],
                    }
                ],
            }
        )
    )
    result = subprocess.run(
        [promtool(), "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_the_one_port_and_grafana_is_provisioned(repo_root):
    prometheus = yaml.safe_load((repo_root / "monitoring/prometheus/prometheus.yml").read_text())
    job = next(job for job in prometheus["scrape_configs"] if job["job_name"] == "hotswap")
    assert job["metrics_path"] == "/metrics"
    assert "hotswap:8080" in job["static_configs"][0]["targets"]
    datasource = yaml.safe_load((repo_root / "monitoring/grafana/provisioning/datasources/prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    dashboard = load_dashboard(repo_root)
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    grafana = compose["services"]["grafana"]
    assert "monitoring" in grafana["profiles"]
    assert any("monitoring/grafana/dashboards" in volume for volume in grafana["volumes"])
