"""Our image as users run it: built by podman from the unchanged Dockerfile, started like the
Dockerfile's own `docker run` line (conf/ and models/ bind-mounted as directories, the port
published on loopback), running as its own unprivileged user. Health, predict, the image's
HEALTHCHECK, a save of conf/active.toml on the host applied inside, the state volume written, and
`podman stop` draining with exit code 0."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import threading
import time

import pytest

from compose_project import get
from podman_fixtures import RUN_ID, RUN_LABEL, remove_folder, run_folder
from process_support import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

IMAGE_UID = 10001
PREDICT_BODY = json.dumps({"features": [5.1, 3.5, 1.4, 0.2]}).encode()


class Served:
    """The running container: its name, host port and the host folders mounted into it."""

    def __init__(self, podman, name, port, folder):
        self.podman = podman
        self.name = name
        self.port = port
        self.conf = folder / "conf" / "active.toml"

    def shares(self):
        status, _, body = get(self.port, "/health")
        assert status == 200, body
        return {slot: round(entry["share"], 3) for slot, entry in json.loads(body)["slots"].items()}

    def healthcheck(self):
        return self.podman.run("healthcheck", "run", self.name, check=False, timeout=60)


@pytest.fixture(scope="module")
def served(podman, hotswap_image, repo_root):
    folder = run_folder("image")
    shutil.copytree(repo_root / "models", folder / "models")
    (folder / "conf").mkdir()
    shutil.copy2(repo_root / "conf" / "active.toml", folder / "conf" / "active.toml")
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    name = f"hotswap-test-{RUN_ID}-image"
    port = free_port()
    podman.run(
        "run", "-d", "--name", name, "--label", f"{RUN_LABEL}={RUN_ID}",
        "-p", f"127.0.0.1:{port}:8080",
        "-v", f"{folder}/conf:/app/conf:ro", "-v", f"{folder}/models:/app/models:ro",
        hotswap_image,
    )
    try:
        wait_until(lambda: get(port, "/v2/health/ready")[0] == 200, 60, "the container to serve")
        yield Served(podman, name, port, folder)
    finally:
        podman.run("rm", "-f", "-v", "-t", "0", name, check=False)
        remove_folder(folder)


def test_image_config_is_what_the_dockerfile_declares(podman, hotswap_image):
    image = podman.inspect("image", hotswap_image)
    config = image["Config"]
    assert config["User"] == f"{IMAGE_UID}:{IMAGE_UID}"
    assert "8080/tcp" in config["ExposedPorts"]
    assert config["StopSignal"] == "SIGTERM"
    assert config["Entrypoint"] == ["/usr/local/bin/hotswap"]
    # The docker format keeps the HEALTHCHECK (the OCI format would drop it).
    assert "http://127.0.0.1:8080/v2/health/ready" in " ".join(image["Healthcheck"]["Test"])


def test_image_user_has_a_fixed_uid_and_gid(podman, hotswap_image):
    out = podman.output("run", "--rm", "--label", f"{RUN_LABEL}={RUN_ID}", "--entrypoint", "id", hotswap_image)
    assert out == f"uid={IMAGE_UID}(hotswap) gid={IMAGE_UID}(hotswap) groups={IMAGE_UID}(hotswap)"


def test_binary_finds_every_library_it_links(podman, hotswap_image):
    out = podman.output(
        "run", "--rm", "--label", f"{RUN_LABEL}={RUN_ID}", "--entrypoint", "ldd", hotswap_image, "/usr/local/bin/hotswap"
    )
    assert "not found" not in out, out
    assert "libinotifytools" in out, out


def test_server_runs_as_the_image_user_without_capabilities(podman, served):
    pid = podman.inspect("container", served.name)["State"]["Pid"]
    status = dict(line.split(":\t", 1) for line in open(f"/proc/{pid}/status").read().splitlines() if ":\t" in line)
    assert status["Uid"].split() == [str(IMAGE_UID)] * 4
    assert status["Gid"].split() == [str(IMAGE_UID)] * 4
    assert int(status["CapEff"], 16) == 0
    assert "hotswap serve" in " ".join(open(f"/proc/{pid}/cmdline").read().split("\0"))


def test_health_and_predict(served):
    status, headers, body = get(served.port, "/health")
    assert status == 200, body
    health = json.loads(body)
    assert health["status"] == "ok" and health["slot"] == "blue" and health["version"] == "v1.0.0"
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    connection.request("POST", "/predict", body=PREDICT_BODY, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == 200, answer
    assert answer["prediction"] == 0 and answer["class_name"] == "setosa" and answer["slot"] == "blue"


def test_healthcheck_reports_healthy_and_notices_a_stalled_server(podman, served):
    result = served.healthcheck()
    assert result.returncode == 0, result.stdout + result.stderr
    assert podman.inspect("container", served.name)["State"]["Health"]["Status"] == "healthy"
    # A frozen server must fail the check (curl times out), or the check proves nothing.
    podman.run("kill", "--signal", "SIGSTOP", served.name)
    try:
        stalled = served.healthcheck()
    finally:
        podman.run("kill", "--signal", "SIGCONT", served.name)
    assert stalled.returncode != 0, stalled.stdout + stalled.stderr
    wait_until(lambda: served.healthcheck().returncode == 0, 30, "the check to pass again after SIGCONT")


def test_saving_the_mounted_config_on_the_host_applies_inside(served):
    original = served.conf.read_text()
    assert re.search(r"^blue = 100$", original, re.M), "conf/active.toml no longer sends 100 % to blue"
    assert served.shares() == {"blue": 1.0, "green": 0.0}
    # An editor's save: write a new file and rename it over the old one.
    replacement = served.conf.with_name(".active.toml.new")
    replacement.write_text(re.sub(r"^blue = 100\ngreen = 0$", "blue = 90\ngreen = 10", original, flags=re.M))
    replacement.chmod(0o644)
    os.replace(replacement, served.conf)
    wait_until(lambda: served.shares() == {"blue": 0.9, "green": 0.1}, 15, "the renamed file to apply")
    # A save in place.
    with open(served.conf, "w") as file:
        file.write(re.sub(r"^blue = 100\ngreen = 0$", "blue = 50\ngreen = 50", original, flags=re.M))
    wait_until(lambda: served.shares() == {"blue": 0.5, "green": 0.5}, 15, "the file written in place to apply")


def test_history_is_kept_in_the_state_volume(podman, served):
    # After the saves above: the audit trail in /app/state (an anonymous volume owned by the user).
    wait_until(
        lambda: "50" in podman.output("exec", served.name, "hotswap", "history", "--config", "/app/conf/active.toml"),
        15, "the last change in `hotswap history`",
    )
    lines = podman.output("exec", served.name, "cat", "/app/state/history.jsonl").splitlines()
    assert len(lines) >= 2, lines


def test_stop_drains_and_exits_zero(podman, served):
    answers: list[int] = []
    stop = threading.Event()

    def client():
        # Keep-alive requests until the server stops answering: none may fail with a bad status.
        while not stop.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
                while not stop.is_set():
                    connection.request("POST", "/predict", body=PREDICT_BODY)
                    response = connection.getresponse()
                    response.read()
                    answers.append(response.status)
                    if response.getheader("connection", "").lower() == "close":
                        break
                connection.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.01)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    wait_until(lambda: len(answers) > 20, 15, "traffic before the stop")
    started = time.monotonic()
    podman.run("stop", "-t", "30", served.name, timeout=60)
    elapsed = time.monotonic() - started
    stop.set()
    thread.join(10)
    state = podman.inspect("container", served.name)["State"]
    logs = podman.run("logs", served.name).stdout + podman.run("logs", served.name).stderr
    assert state["ExitCode"] == 0, logs[-3000:]
    assert elapsed < 25, f"podman stop took {elapsed:.1f}s: the server did not drain in time"
    assert set(answers) == {200}, sorted(set(answers))
    assert "shutting down" in logs and "stopped" in logs, logs[-3000:]
