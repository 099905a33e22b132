"""docker-compose.yml's `nginx` and `monitoring` profiles under podman-compose, as the README runs
them: `podman-compose --profile nginx up -d` starts hotswap-blue and hotswap-green (one slot each,
own state volumes) behind nginx; scripts/nginx-switch.sh and scripts/nginx-rollback.sh, with no
variable but the compose file's port variables set, move traffic through `podman-compose exec`,
and the split through nginx is exact for HTTP and for gRPC (`grpc_pass`). Then
`podman-compose --profile monitoring up -d prometheus` adds Prometheus, which scrapes all three
hotswap processes. Grafana is not started: it has no Debian package to make a stand-in image
from, so its provisioning is checked only statically (tests/packaging/test_container_files.py)."""

from __future__ import annotations

import collections
import json
import urllib.parse

import numpy as np
import pytest

from compose_project import ComposeProject, get
from podman_fixtures import PROJECT_PREFIX, RUN_ID, remove_folder, run_folder
from process_support import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

VERSIONS = {"blue": "v1.0.0", "green": "v1.1.0"}


@pytest.fixture(scope="module")
def project(podman, hotswap_image, base_images, repo_root):
    folder = run_folder("compose-nginx")
    project = ComposeProject(podman, repo_root, folder / "hotswap", f"{PROJECT_PREFIX}{RUN_ID}nginx", hotswap_image)
    try:
        project.compose("--profile", "nginx", "up", "-d")
        for variable in ("HOTSWAP_BLUE_PORT", "HOTSWAP_GREEN_PORT"):
            port = project.port(variable)
            wait_until(lambda: get(port, "/v2/health/ready")[0] == 200, 60, f"{variable} to serve")
        http = project.port("NGINX_HTTP_PORT")
        wait_until(lambda: get(http, "/health")[0] == 200, 60, "nginx to pass /health on")
        yield project
    finally:
        project.down()
        remove_folder(folder)


def http_split(project, count):
    """Slots answering COUNT GET /health through nginx, in order."""
    slots = []
    for _ in range(count):
        status, headers, body = get(project.port("NGINX_HTTP_PORT"), "/health")
        assert status == 200, body
        document = json.loads(body)
        assert document["version"] == VERSIONS[document["slot"]] and headers["x-hotswap-slot"] == document["slot"]
        slots.append(document["slot"])
    return slots


def grpc_split(project, count):
    """Slots (by model version) answering COUNT Open Inference Protocol gRPC calls through nginx's
    grpc_pass, on one HTTP/2 connection."""
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(url=f"127.0.0.1:{project.port('NGINX_GRPC_PORT')}")
    try:
        (tensor,) = client.get_model_metadata("iris").inputs
        features = np.array([[5.1, 3.5, 1.4, 0.2]], dtype={"FP32": np.float32, "FP64": np.float64}[tensor.datatype])
        request = grpcclient.InferInput(tensor.name, list(features.shape), tensor.datatype)
        request.set_data_from_numpy(features)
        by_version = collections.Counter(
            client.infer("iris", [request]).get_response().model_version for _ in range(count)
        )
    finally:
        client.close()
    by_slot = {slot: by_version[version] for slot, version in VERSIONS.items() if by_version[version]}
    assert sum(by_slot.values()) == count, by_version
    return by_slot


def run_script(project, *args):
    result = project.script(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_profile_runs_both_colours_behind_nginx(project):
    assert project.running() == {"hotswap", "hotswap-blue", "hotswap-green", "nginx"}
    for slot in ("blue", "green"):
        status, _, body = get(project.port(f"HOTSWAP_{slot.upper()}_PORT"), "/health")
        health = json.loads(body)
        assert status == 200 and health["slot"] == slot and health["version"] == VERSIONS[slot], body
        assert set(health["slots"]) == {slot}


def test_each_colour_has_its_own_state_volume(podman, project):
    for slot in ("blue", "green"):
        mounts = podman.inspect("container", project.container(f"hotswap-{slot}"))["Mounts"]
        state = next(m for m in mounts if m["Destination"] == "/app/state")
        assert state["Type"] == "volume" and state["Name"] == f"{project.name}_hotswap-{slot}-state", state


def test_all_traffic_goes_to_blue_at_first(project):
    assert set(http_split(project, 20)) == {"blue"}
    assert grpc_split(project, 10) == {"blue": 10}


def test_canary_through_the_switch_script_splits_exactly(project):
    out = run_script(project, "nginx-switch.sh", "green", "10")
    assert "switch successful: blue=9 green=1" in out, out
    # `podman-compose exec` ran nginx -t and the reload (the script found no Docker engine).
    assert "verified:" in out
    slots = http_split(project, 100)
    assert collections.Counter(slots) == {"blue": 90, "green": 10}
    # One worker's smooth weighted round-robin: one green in every 10 consecutive answers.
    for start in range(0, 91):
        assert slots[start : start + 10].count("green") == 1, slots
    assert grpc_split(project, 20) == {"blue": 18, "green": 2}


def test_rollback_restores_the_previous_weights(project):
    out = run_script(project, "nginx-rollback.sh")
    assert "rollback successful: blue=1 green=0" in out, out
    assert set(http_split(project, 20)) == {"blue"}


def test_switch_without_arguments_flips_to_the_standby_colour(project):
    out = run_script(project, "nginx-switch.sh")
    assert "switch successful: blue=0 green=1" in out, out
    assert set(http_split(project, 20)) == {"green"}
    assert grpc_split(project, 10) == {"green": 10}


def test_a_refused_switch_changes_nothing(project):
    before = (project.folder / "conf" / "nginx" / "upstreams.conf").read_text()
    result = project.script("nginx-switch.sh", "purple")
    assert result.returncode == 1 and "unknown slot 'purple'" in result.stdout, result.stdout + result.stderr
    assert (project.folder / "conf" / "nginx" / "upstreams.conf").read_text() == before


def prometheus(project, path, **query):
    url = f"/api/v1/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    status, _, body = get(project.port("PROMETHEUS_PORT"), url)
    assert status == 200, body
    return json.loads(body)["data"]


def test_monitoring_profile_scrapes_every_hotswap_process(project):
    project.compose("--profile", "monitoring", "up", "-d", "prometheus")
    # Prometheus answers 503 until its storage is open.
    port = project.port("PROMETHEUS_PORT")
    wait_until(lambda: get(port, "/-/ready")[0] == 200, 60, "Prometheus to be ready")

    def targets():
        active = prometheus(project, "targets")["activeTargets"]
        return {t["labels"]["instance"]: t["health"] for t in active if t["labels"]["job"] == "hotswap"}

    wait_until(
        lambda: targets() == {"hotswap:8080": "up", "hotswap-blue:8080": "up", "hotswap-green:8080": "up"},
        90, "Prometheus to scrape hotswap, hotswap-blue and hotswap-green",
    )
    result = prometheus(project, "query", query="hotswap_plan_generation")["result"]
    assert {series["metric"]["instance"] for series in result} == {"hotswap:8080", "hotswap-blue:8080", "hotswap-green:8080"}
