"""monitoring/: Prometheus scrapes Hotswap's port; every query of the Grafana dashboard (panels and
annotations) uses only metric names the server really exports."""

from __future__ import annotations

import json
import re

import yaml

from observability_server import config_text

METRIC = re.compile(r"\b((?:predict|prediction|hotswap)_[a-z_]+)\b")


def exported_names(server) -> set[str]:
    server.predict((5.1, 3.5, 1.4, 0.2))
    _, _, body = server.request("GET", "/metrics")
    names = set()
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def dashboard_queries(repo_root) -> list[str]:
    dashboard = json.loads((repo_root / "monitoring/grafana/dashboards/hotswap.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    queries += [annotation["expr"] for annotation in dashboard["annotations"]["list"]]
    return queries


def test_dashboard_queries_use_exported_metrics(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(
            repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 1", "[guard]\nmax_p99_ms = 100\n"
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
    # Requests, p99, shares, plan changes and guard trips are all on the dashboard.
    for needed in (
        "predict_requests_total",
        "prediction_latency_seconds_bucket",
        "hotswap_traffic_share",
        "hotswap_plan_generation",
        "hotswap_guard_trips_total",
    ):
        assert needed in used, needed


def test_prometheus_scrapes_the_one_port_and_grafana_is_provisioned(repo_root):
    prometheus = yaml.safe_load((repo_root / "monitoring/prometheus/prometheus.yml").read_text())
    job = next(job for job in prometheus["scrape_configs"] if job["job_name"] == "hotswap")
    assert job["metrics_path"] == "/metrics"
    assert "hotswap:8080" in job["static_configs"][0]["targets"]
    datasource = yaml.safe_load((repo_root / "monitoring/grafana/provisioning/datasources/prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    dashboard = json.loads((repo_root / "monitoring/grafana/dashboards/hotswap.json").read_text())
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    grafana = compose["services"]["grafana"]
    assert "monitoring" in grafana["profiles"]
    assert any("monitoring/grafana/dashboards" in volume for volume in grafana["volumes"])
