"""Session fixtures of the container suites (tests/deploy/conftest.py imports them): podman set up
for the tests, the stand-in base images, and our image built once per run from the unchanged
Dockerfile. Names carry the run id (the runner's pid and a random part), so parallel runs do not
collide; what a killed run left behind is removed by the next run once that pid is gone."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
import pathlib

import pytest

import stand_in_images
from podman_env import Podman, PodmanError, PodmanUnavailable, podman as make_podman

RUN_ID = f"{os.getpid()}x{secrets.token_hex(3)}"
RUN_LABEL = "org.hotswap.tests.run"
# Compose projects of the suites are named hotswaptest<pid>x<hex>...
PROJECT_PREFIX = "hotswaptest"
# Our image keeps this tag between runs, so that the next run's build reuses its layers.
CACHE_TAG = "localhost/hotswap:deploy-suite"
# The first build on a machine: stand-ins (~5 min) and the release build inside the image (~9 min).
IMAGE_TIMEOUT = 3600


def _pid_alive(pid: int) -> bool:
    return pathlib.Path(f"/proc/{pid}").exists()


def _remove_leftovers(podman: Podman) -> None:
    """Containers, networks and volumes of earlier runs whose runner is gone."""
    stale = []
    for entry in json.loads(podman.output("ps", "-a", "--format", "json")):
        labels = entry.get("Labels") or {}
        owner = labels.get(RUN_LABEL) or labels.get("io.podman.compose.project", "")
        match = re.match(rf"(?:{PROJECT_PREFIX})?(\d+)x", owner)
        if match and not _pid_alive(int(match.group(1))):
            stale.append(entry["Id"])
    if stale:
        podman.run("rm", "-f", *stale, check=False, timeout=300)
    for kind in ("network", "volume"):
        names = podman.output(kind, "ls", "--format", "{{.Name}}").split()
        for name in names:
            match = re.match(rf"{PROJECT_PREFIX}(\d+)x", name)
            if match and not _pid_alive(int(match.group(1))):
                podman.run(kind, "rm", "-f", name, check=False)


@pytest.fixture(scope="session")
def podman() -> Podman:
    """podman with the suites' config and store; fails (never skips) where podman cannot run."""
    try:
        handle = make_podman()
    except PodmanUnavailable as error:
        pytest.fail(f"the container suites need podman: {error}", pytrace=False)
    _remove_leftovers(handle)
    return handle


@pytest.fixture(scope="session")
def base_images(podman, repo_root) -> list[str]:
    """Stand-ins under the names the Dockerfile and docker-compose.yml use; returns the names
    without one (Grafana's), which no test starts."""
    try:
        return stand_in_images.ensure(podman, repo_root)
    except PodmanError as error:
        pytest.fail(f"cannot make the stand-in base images: {error}", pytrace=False)


@pytest.fixture(scope="session")
def hotswap_image(podman, base_images, repo_root) -> str:
    """Our image, built from the repository with its unchanged Dockerfile, once per run; the
    package mirror is a build-time volume (the Dockerfile does not know about it)."""
    name = f"localhost/hotswap:test-{RUN_ID}"
    mirror = stand_in_images.package_mirror()
    volume = ["--volume", f"{mirror}:{mirror}:ro"] if mirror else []
    started = time.monotonic()
    try:
        podman.run(
            "build", "--format", "docker", "--pull=never", *volume, "-t", name, "-t", CACHE_TAG, str(repo_root),
            timeout=IMAGE_TIMEOUT,
        )
    except PodmanError as error:
        pytest.fail(f"our Dockerfile does not build: {error}", pytrace=False)
    print(f"\nimage {name} built in {time.monotonic() - started:.0f}s")
    # Images of earlier builds that nothing uses any more (not those of a build running now).
    podman.run("image", "prune", "-f", "--filter", "until=1h", check=False, timeout=300)
    yield name
    podman.run("untag", name, name, check=False)


def run_folder(purpose: str) -> pathlib.Path:
    """A fresh folder the containers' users can read (pytest's tmp folders are 0700); the caller
    removes it."""
    path = pathlib.Path(tempfile.mkdtemp(prefix=f"hotswap-{purpose}-{RUN_ID}-"))
    path.chmod(0o755)
    return path


def remove_folder(path: pathlib.Path) -> None:
    """Removes a run_folder()."""
    shutil.rmtree(path, ignore_errors=True)
