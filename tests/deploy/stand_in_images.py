"""Local stand-ins for the base images our Dockerfile and docker-compose.yml name, made under the
exact names the files use, since these machines reach no image registry:

| name in the files                  | stand-in                                                     |
|------------------------------------|--------------------------------------------------------------|
| docker.io/library/debian:bookworm-slim | a debootstrap minbase of Debian 12 (rootfs.py), imported |
| docker.io/library/swift:6.3-bookworm   | that + the official image's packages + this machine's Swift toolchain under /usr + git resolving github.com from the package mirror |
| docker.io/library/nginx:…              | that + Debian's nginx                                    |
| docker.io/prom/prometheus:…            | that + Debian's prometheus                               |
| docker.io/grafana/grafana:…            | none: Grafana has no Debian package; not exercised       |

Each image carries a label with the hash of its recipe (Containerfile, inputs, base) and is rebuilt
only when that changes: the first run on a machine takes minutes, later runs reuse the images.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pathlib
import re
import shutil
import subprocess

import yaml

from podman_env import PODMAN_HOME, Podman, PodmanError
from rootfs import bookworm_rootfs

IMAGES = pathlib.Path(__file__).resolve().parent / "images"
LABEL = "org.hotswap.tests.recipe"
# Bump when the way the stand-ins are made changes outside the Containerfiles.
RECIPE = "1"
# Repositories we make stand-ins for, by the recipe that makes them.
RECIPES = {
    "docker.io/library/debian": "debian",
    "docker.io/library/swift": "swift",
    "docker.io/library/nginx": "nginx",
    "docker.io/prom/prometheus": "prometheus",
}
NOT_EXERCISED = {"docker.io/grafana/grafana": "Grafana has no Debian package to make a stand-in from"}
# The name the stand-ins' Containerfiles build on.
DEBIAN = "docker.io/library/debian:bookworm-slim"


def repository(name: str) -> str:
    """`docker.io/library/nginx:1.26-bookworm` → `docker.io/library/nginx`."""
    return name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name


def names_in_files(repo: pathlib.Path) -> list[str]:
    """Every base image the Dockerfile and docker-compose.yml name (not our own image)."""
    names = re.findall(r"^FROM\s+(\S+)", (repo / "Dockerfile").read_text(), re.M)
    compose = yaml.safe_load((repo / "docker-compose.yml").read_text())
    for service in compose["services"].values():
        image = service.get("image", "")
        if image and "HOTSWAP_IMAGE" not in image:
            names.append(image)
    return sorted(set(names))


def toolchain() -> pathlib.Path:
    """The Swift toolchain's root (the folder holding usr/bin/swift): $HOTSWAP_SWIFT_TOOLCHAIN, or
    where the `swift` on PATH lives."""
    if os.environ.get("HOTSWAP_SWIFT_TOOLCHAIN"):
        return pathlib.Path(os.environ["HOTSWAP_SWIFT_TOOLCHAIN"])
    swift = shutil.which("swift")
    if swift is None:
        raise PodmanError("no Swift toolchain: put swift on PATH or set HOTSWAP_SWIFT_TOOLCHAIN")
    return pathlib.Path(swift).resolve().parent.parent.parent


def package_mirror() -> str:
    """The folder git reads https://github.com/ from on this machine (`url.<folder>.insteadOf`),
    or "" when git fetches from GitHub itself."""
    out = subprocess.run(
        ["git", "config", "--get-regexp", r"^url\..*\.insteadof$"], capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        if value.strip() == "https://github.com/":
            return key[len("url.") : -len(".insteadof")]
    return ""


def _key(*parts: str) -> str:
    return hashlib.sha256("\x00".join((RECIPE, *parts)).encode()).hexdigest()[:16]


def _current(podman: Podman, name: str, key: str) -> bool:
    if not podman.exists("image", name):
        return False
    labels = podman.inspect("image", name).get("Labels") or {}
    return labels.get(LABEL) == key


def _debian(podman: Podman, names: list[str]) -> str:
    tarball = bookworm_rootfs("minbase")
    key = _key("debian", tarball.name)
    for name in names:
        if not _current(podman, name, key):
            podman.run(
                "import", "--change", f"LABEL {LABEL}={key}", "--change", 'CMD ["bash"]',
                str(tarball), name, timeout=600,
            )
    return key


def _build(podman: Podman, recipe: str, names: list[str], base_key: str, extra: list[str], inputs: str) -> None:
    containerfile = IMAGES / f"{recipe}.Containerfile"
    key = _key(recipe, base_key, containerfile.read_text(), inputs, *extra)
    stale = [name for name in names if not _current(podman, name, key)]
    if not stale:
        return
    tags = [arg for name in names for arg in ("-t", name)]
    podman.run(
        "build", "--format", "docker", "--pull=never", "--label", f"{LABEL}={key}", *extra, *tags,
        "-f", str(containerfile), str(IMAGES), timeout=1800,
    )


def _swift_inputs() -> tuple[list[str], str]:
    root = toolchain()
    version = subprocess.run(
        [str(root / "usr/bin/swift"), "--version"], capture_output=True, text=True, timeout=60
    ).stdout
    mirror = package_mirror()
    return ["--volume", f"{root}:/toolchain:ro", "--build-arg", f"PACKAGE_MIRROR={mirror}"], version


def ensure(podman: Podman, repo: pathlib.Path) -> list[str]:
    """Makes (or finds current) a stand-in for every base image the files name; returns the names
    that have none (Grafana). Concurrent runs wait for one builder (a file lock)."""
    by_recipe: dict[str, list[str]] = {}
    skipped = []
    for name in names_in_files(repo):
        recipe = RECIPES.get(repository(name))
        if recipe is None:
            if repository(name) in NOT_EXERCISED:
                skipped.append(name)
                continue
            raise PodmanError(
                f"{name}: no stand-in recipe for this image (the files name it; add one to "
                f"tests/deploy/stand_in_images.py)"
            )
        by_recipe.setdefault(recipe, []).append(name)
    if DEBIAN not in by_recipe.get("debian", []):
        by_recipe.setdefault("debian", []).append(DEBIAN)
    PODMAN_HOME.mkdir(parents=True, exist_ok=True)
    with open(PODMAN_HOME / ".stand-ins.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        debian_key = _debian(podman, by_recipe.pop("debian"))
        for recipe, names in sorted(by_recipe.items()):
            extra, inputs = _swift_inputs() if recipe == "swift" else ([], "")
            _build(podman, recipe, names, debian_key, extra, inputs)
    return skipped
