"""Debian 12 root filesystems for the deployment suites, built with debootstrap and cached between
runs: the stand-in for the `debian:bookworm-slim` image (a bare minbase) and the systemd machine
the nspawn suite boots (minbase plus the packages it names). Built once per machine and per package
list; later runs reuse the tarball (~60–80 s and ~220 MB cold for a minbase)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

CACHE = pathlib.Path(os.environ.get("HOTSWAP_TEST_CACHE", "/var/cache/hotswap-tests"))
MIRROR = os.environ.get("HOTSWAP_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITE = "bookworm"
# Bump when the way a rootfs is made changes, so that caches made the old way are rebuilt.
RECIPE = "1"


class RootfsUnavailable(RuntimeError):
    """debootstrap is missing or failed: the deployment suites cannot run on this machine."""


def _ensure_debootstrap() -> None:
    if shutil.which("debootstrap"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "debootstrap"], check=True, env=env
    )


def bookworm_rootfs(name: str, include: tuple[str, ...] = ()) -> pathlib.Path:
    """A tarball of a Debian 12 minbase rootfs with `include` installed, made once and cached under
    $HOTSWAP_TEST_CACHE. Concurrent callers wait for one build (a file lock)."""
    key = hashlib.sha256(f"{RECIPE}|{SUITE}|{MIRROR}|{','.join(sorted(include))}".encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"{name}-{SUITE}-{key}.tar"
    with open(CACHE / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if tarball.exists():
            return tarball
        _ensure_debootstrap()
        with tempfile.TemporaryDirectory(prefix=f"rootfs-{name}-", dir=CACHE) as work:
            target = pathlib.Path(work) / "root"
            command = ["debootstrap", "--variant=minbase"]
            if include:
                command.append("--include=" + ",".join(include))
            command += [SUITE, str(target), MIRROR]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                raise RootfsUnavailable(
                    f"debootstrap {SUITE} failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
                )
            # apt's lists and .debs are not part of an image.
            for cached in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for entry in (target / cached).glob("*"):
                    if entry.is_file():
                        entry.unlink()
            partial = tarball.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(target), "--numeric-owner", "-cf", str(partial), "."], check=True)
            partial.rename(tarball)
        return tarball


def unpack(tarball: pathlib.Path, destination: pathlib.Path) -> pathlib.Path:
    """Unpacks a cached rootfs into `destination` (created) and returns it."""
    destination.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-C", str(destination), "--numeric-owner", "-xf", str(tarball)], check=True)
    return destination
