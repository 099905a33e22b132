"""A local Debian package repository for an nspawn machine, which has no network: the packages
that `apt-get install` of our .deb (and any named package) needs beyond what the machine already
has, downloaded by the host's apt (computed against the machine's own dpkg status) and indexed
with dpkg-scanpackages. Inside the machine `apt-get install ./hotswap_….deb` then resolves the
package's computed Depends exactly as on a box with a mirror: a missing or wrong Depends fails the
install or the service start. Downloads are cached between runs."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

from rootfs import CACHE

ARCHIVES = CACHE / "apt-archives"
INSIDE = "/srv/hotswap-test-repo"


class RepositoryUnavailable(RuntimeError):
    """The host's apt could not fetch what the machine needs."""


def _download(status: pathlib.Path, wanted: list[str]) -> None:
    (ARCHIVES / "partial").mkdir(parents=True, exist_ok=True)
    command = [
        "apt-get", "-q", "-y", "--download-only", "--no-install-recommends",
        "-o", f"Dir::State::status={status}",
        "-o", f"Dir::Cache::archives={ARCHIVES}",
        "-o", "Debug::NoLocking=1",
        "install", *wanted,
    ]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        # Stale or missing package lists on the host: refresh once and retry.
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True, env=env)
        result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RepositoryUnavailable(
            f"the host's apt-get could not download what {wanted} needs:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def fill(machine_root: pathlib.Path, wanted: list[str]) -> None:
    """Makes `wanted` (package names, or paths of .deb files on the host) installable inside the
    machine whose filesystem is `machine_root`: downloads what its dpkg status lacks, copies those
    packages into INSIDE with a Packages index, and makes INSIDE the machine's only apt source."""
    if shutil.which("dpkg-scanpackages") is None:
        raise RepositoryUnavailable("dpkg-scanpackages is missing: apt-get install dpkg-dev (scripts/deps.sh does)")
    _download(machine_root / "var/lib/dpkg/status", wanted)
    repo = machine_root / INSIDE.lstrip("/")
    repo.mkdir(parents=True, exist_ok=True)
    local_debs = {pathlib.Path(item).name for item in wanted if item.endswith(".deb")}
    for deb in ARCHIVES.glob("*.deb"):
        if deb.name not in local_debs:
            shutil.copy2(deb, repo / deb.name)
    index = subprocess.run(
        ["dpkg-scanpackages", "--multiversion", "."], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    (repo / "Packages").write_text(index)
    sources = machine_root / "etc/apt/sources.list"
    sources.write_text(f"deb [trusted=yes] file:{INSIDE} ./\n")
    for extra in (machine_root / "etc/apt/sources.list.d").glob("*"):
        extra.unlink()
