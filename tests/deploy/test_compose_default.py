"""docker-compose.yml's default profile under podman-compose, started with the README's command
(`podman-compose up -d` in place of `docker compose up -d`): only the single hotswap process runs,
it serves, applies a save of conf/active.toml on the host, keeps its history in the named state
volume, passes the compose healthcheck, and `podman-compose stop` drains it with exit code 0."""

from __future__ import annotations

import json
import os
import re

import pytest

from compose_project import ComposeProject, get
from podman_fixtures import PROJECT_PREFIX, RUN_ID, remove_folder, run_folder
from process_support import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def project(podman, hotswap_image, repo_root):
    folder = run_folder("compose-default")
    project = ComposeProject(podman, repo_root, folder / "hotswap", f"{PROJECT_PREFIX}{RUN_ID}default", hotswap_image)
    try:
        project.compose("up", "-d")
        port = project.port("HOTSWAP_PORT")
        wait_until(lambda: get(port, "/v2/health/ready")[0] == 200, 60, "the hotswap service to serve")
        yield project
    finally:
        project.down()
        remove_folder(folder)


def shares(port):
    status, _, body = get(port, "/health")
    assert status == 200, body
    return {slot: round(entry["share"], 3) for slot, entry in json.loads(body)["slots"].items()}


def test_only_the_single_process_runs(project):
    assert project.running() == {"hotswap"}


def test_serves_on_the_published_port(project):
    status, headers, body = get(project.port("HOTSWAP_PORT"), "/health")
    assert status == 200, body
    assert headers["x-hotswap-slot"] == "blue" and json.loads(body)["version"] == "v1.0.0"


def test_compose_healthcheck_passes(podman, project):
    result = podman.run("healthcheck", "run", project.container("hotswap"), check=False, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_save_on_the_host_is_applied_and_recorded_in_the_state_volume(podman, project):
    conf = project.folder / "conf" / "active.toml"
    text = conf.read_text()
    changed = re.sub(r"^blue = 100\ngreen = 0$", "blue = 90\ngreen = 10", text, flags=re.M)
    assert changed != text, "conf/active.toml no longer sends 100 % to blue"
    replacement = conf.with_name(".active.toml.new")
    replacement.write_text(changed)
    replacement.chmod(0o644)
    os.replace(replacement, conf)
    port = project.port("HOTSWAP_PORT")
    wait_until(lambda: shares(port) == {"blue": 0.9, "green": 0.1}, 15, "the saved file to apply")
    volume = podman.inspect("volume", f"{project.name}_hotswap-state")
    history = os.path.join(volume["Mountpoint"], "history.jsonl")
    wait_until(lambda: os.path.exists(history) and "green" in open(history).read(), 15, "the change in the state volume")


def test_stop_drains_and_exits_zero(podman, project):
    project.compose("stop", "hotswap", timeout=120)
    state = podman.inspect("container", project.container("hotswap"))["State"]
    logs = project.logs("hotswap")
    assert state["ExitCode"] == 0, logs[-3000:]
    assert "shutting down" in logs and "stopped" in logs, logs[-3000:]
