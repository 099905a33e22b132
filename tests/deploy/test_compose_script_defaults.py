"""Where scripts/nginx-switch.sh looks when no URL is given: the compose file's port variables,
from the environment or from the .env file beside docker-compose.yml (as compose reads them), as
PORT or ADDRESS:PORT; and which compose command it drives nginx with. Runs the real script from a
copy of the project against stand-in colour servers on loopback; nginx itself is a stub that
fails, so every run ends in a refused switch that changes nothing. test_compose_nginx.py runs
the script for real through podman-compose."""

from __future__ import annotations

import http.server
import json
import os
import pathlib
import shutil
import subprocess
import threading

import pytest

from compose_project import copy_project

# The script needs only coreutils, curl, awk and sed; no virtualenv, so no podman-compose but the
# system's.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
VARIABLES = ("HOTSWAP_BLUE_PORT", "HOTSWAP_GREEN_PORT", "NGINX_HTTP_PORT", "COMPOSE", "NGINX_CTL", "BLUE_URL", "GREEN_URL", "LB_URL")


class Colour(http.server.BaseHTTPRequestHandler):
    """Answers /health as a single-slot hotswap process serving `slot`."""

    slot = "green"

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = json.dumps({"status": "ok", "slot": self.slot, "version": "v1.1.0"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def green():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Colour)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(repo_root, tmp_path):
    return copy_project(repo_root, tmp_path / "hotswap")


def switch(project: pathlib.Path, env: dict[str, str], *args: str, path_dirs: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    clean["PATH"] = ":".join([*path_dirs, SYSTEM_PATH])
    return subprocess.run(
        [str(project / "scripts" / "nginx-switch.sh"), *args], cwd="/", env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_green_url_from_the_environment_as_address_and_port(project, green):
    before = (project / "conf/nginx/upstreams.conf").read_text()
    result = switch(project, {"HOTSWAP_GREEN_PORT": f"127.0.0.1:{green}", "NGINX_CTL": "false"}, "green")
    assert f"health check passed for green (v1.1.0) at http://127.0.0.1:{green}" in result.stdout, result.stdout
    assert result.returncode == 1 and "previous weights restored" in result.stdout
    assert (project / "conf/nginx/upstreams.conf").read_text() == before


def test_green_url_from_the_env_file_beside_the_compose_file(project, green):
    (project / ".env").write_text(f"# ports\nHOTSWAP_BLUE_PORT=9\nHOTSWAP_GREEN_PORT=\"0.0.0.0:{green}\"\n")
    result = switch(project, {"NGINX_CTL": "false"}, "green")
    assert f"health check passed for green (v1.1.0) at http://127.0.0.1:{green}" in result.stdout, result.stdout


def test_without_variables_the_compose_defaults_apply(project):
    port = 8002
    result = switch(project, {"NGINX_CTL": "false"}, "green")
    assert result.returncode == 1
    assert f"health check of green at http://127.0.0.1:{port}/health" in result.stdout, result.stdout


@pytest.mark.parametrize("found, expected", [("podman-compose", "podman-compose"), (None, "docker compose")])
def test_compose_command_is_podman_compose_without_a_docker_engine(project, green, tmp_path, found, expected):
    # A recording stand-in for the compose tool; `docker` answers that no engine runs.
    tools = tmp_path / "tools"
    tools.mkdir()
    calls = tmp_path / "calls"
    (tools / "docker").write_text(f"#!/bin/sh\necho \"docker $*\" >>{calls}\n[ \"$1\" = compose ] && [ \"$2\" = version ] && exit 0\nexit 1\n")
    if found:
        (tools / found).write_text(f"#!/bin/sh\necho \"{found} $*\" >>{calls}\nexit 1\n")
    for tool in tools.iterdir():
        tool.chmod(0o755)
    if found is None and shutil.which("podman-compose", path=SYSTEM_PATH):
        expected = "podman-compose"  # this machine has a system-wide one
    result = switch(project, {"HOTSWAP_GREEN_PORT": str(green)}, "green", path_dirs=(str(tools),))
    assert result.returncode == 1
    nginx_calls = [line for line in calls.read_text().splitlines() if " exec " in line]
    assert nginx_calls, calls.read_text()
    assert nginx_calls[0] == (
        f"{expected} -f {project}/docker-compose.yml --profile nginx exec -T nginx nginx -c /etc/nginx/hotswap/nginx.conf -t"
    )


def test_compose_variable_overrides_detection(project, green, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    calls = tmp_path / "calls"
    (tools / "my-compose").write_text(f"#!/bin/sh\necho \"my-compose $*\" >>{calls}\nexit 1\n")
    (tools / "my-compose").chmod(0o755)
    result = switch(project, {"HOTSWAP_GREEN_PORT": str(green), "COMPOSE": "my-compose --verbose"}, "green", path_dirs=(str(tools),))
    assert result.returncode == 1
    assert calls.read_text().startswith(f"my-compose --verbose -f {project}/docker-compose.yml --profile nginx exec")
