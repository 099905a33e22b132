"""docker-compose.yml run by podman-compose, the way a user runs it, in a copy of the repository's
files (so that the switch scripts' edits of conf/nginx and the tests' saves of conf/active.toml
never touch the work tree). Every published port is on 127.0.0.1 and free; the project name is
unique to the test run; `down` removes the containers, the network and the named volumes."""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import shutil
import subprocess
import sys

from podman_env import Podman, PodmanError
from process_support import free_port

# What a user's checkout has and compose or the scripts read.
PROJECT_FILES = ("docker-compose.yml", "conf", "models", "monitoring", "scripts/nginx-switch.sh", "scripts/nginx-rollback.sh")
# The port variables of docker-compose.yml.
PORT_VARIABLES = (
    "HOTSWAP_PORT", "HOTSWAP_BLUE_PORT", "HOTSWAP_GREEN_PORT", "NGINX_HTTP_PORT", "NGINX_GRPC_PORT",
    "PROMETHEUS_PORT", "GRAFANA_PORT",
)


def podman_compose() -> str:
    """The podman-compose of the test venv (tools/python/requirements.txt pins it), else PATH's."""
    beside = pathlib.Path(sys.executable).parent / "podman-compose"
    if beside.exists():
        return str(beside)
    found = shutil.which("podman-compose")
    if found is None:
        raise PodmanError("podman-compose is missing: scripts/deps.sh installs it into .venv")
    return found


def copy_project(repo: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    """The compose project's files copied to `into`, readable by the containers' users."""
    into.mkdir(parents=True, exist_ok=True)
    into.chmod(0o755)
    for name in PROJECT_FILES:
        source, target = repo / name, into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("backups", "switch.log"))
        else:
            shutil.copy2(source, target)
    for path in [into, *into.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
        elif path.suffix == ".sh":
            path.chmod(0o755)
        else:
            path.chmod(0o644)
    return into


class ComposeProject:
    """One podman-compose project of docker-compose.yml."""

    def __init__(self, podman: Podman, repo: pathlib.Path, folder: pathlib.Path, name: str, image: str):
        self.podman = podman
        self.folder = copy_project(repo, folder)
        self.name = name
        self.ports = {variable: free_port() for variable in PORT_VARIABLES}
        self.env = podman.process_env(
            {
                "COMPOSE_PROJECT_NAME": name,
                "HOTSWAP_IMAGE": image,
                # podman-compose on PATH for the switch scripts, as a user's install puts it.
                "PATH": f"{pathlib.Path(podman_compose()).parent}:{os.environ.get('PATH', '')}",
                **{variable: f"127.0.0.1:{port}" for variable, port in self.ports.items()},
            }
        )

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        """`podman-compose ARGS` in the project folder."""
        result = subprocess.run(
            [podman_compose(), *args], cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise PodmanError(f"podman-compose {' '.join(args)} exited {result.returncode}:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
        return result

    def script(self, name: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        """scripts/NAME ARGS from the project folder, with nothing but the compose variables set."""
        return subprocess.run(
            [str(self.folder / "scripts" / name), *args], cwd=self.folder, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )

    def container(self, service: str) -> str:
        """The container podman-compose made for SERVICE."""
        return f"{self.name}_{service}_1"

    def running(self) -> set[str]:
        """Services with a running container in this project."""
        listing = json.loads(
            self.podman.output("ps", "--filter", f"label=io.podman.compose.project={self.name}", "--format", "json")
        )
        return {entry["Labels"]["com.docker.compose.service"] for entry in listing}

    def port(self, variable: str) -> int:
        """The host port (on 127.0.0.1) published through the compose variable."""
        return self.ports[variable]

    def logs(self, service: str) -> str:
        """The container's output so far."""
        result = self.podman.run("logs", self.container(service), check=False)
        return result.stdout + result.stderr

    def down(self) -> None:
        """Stops and removes everything of the project, named volumes included."""
        self.compose("--profile", "nginx", "--profile", "monitoring", "down", "--volumes", timeout=300, check=False)
        # A container podman-compose never got to (a failed `up`) is removed by its label.
        leftovers = self.podman.output("ps", "-aq", "--filter", f"label=io.podman.compose.project={self.name}")
        if leftovers:
            self.podman.run("rm", "-f", *leftovers.split(), check=False)


def get(port: int, path: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection to 127.0.0.1:PORT: status, lower-case headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
