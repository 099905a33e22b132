"""The artefacts the systemd and package suites install: the release binary linked with the Swift
runtime statically (built once per run and shared: scripts/test.sh builds it and passes
HOTSWAP_RELEASE_BIN; a pytest run alone builds it here), its man page, and .deb packages made by
`scripts/build-deb.sh` — the version in packaging/deb/changelog and a newer one for the upgrade."""

from __future__ import annotations

import functools
import os
import pathlib
import shutil
import subprocess
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
RELEASE_FLAGS = ["-c", "release", "--product", "hotswap", "--static-swift-stdlib"]
# Appended to the changelog's version for the "newer build" the upgrade test installs.
UPGRADE_SUFFIX = "+upgrade1"


class BuildFailed(RuntimeError):
    """The release build, the man page or the package could not be made."""


def _run(argv: list[str], what: str, env: dict[str, str] | None = None, timeout: float = 3600) -> str:
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, env=env, timeout=timeout)
    if result.returncode != 0:
        raise BuildFailed(f"{what} failed (exit {result.returncode}):\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return result.stdout


@functools.cache
def release_binary() -> pathlib.Path:
    """`$HOTSWAP_RELEASE_BIN`, else `swift build` the static release binary now."""
    given = os.environ.get("HOTSWAP_RELEASE_BIN")
    if given:
        path = pathlib.Path(given)
        if not path.is_file():
            raise BuildFailed(f"HOTSWAP_RELEASE_BIN={given} does not exist")
        return path
    _run(["swift", "build", *RELEASE_FLAGS], "the static release build (swift build " + " ".join(RELEASE_FLAGS) + ")")
    folder = _run(["swift", "build", "-c", "release", "--show-bin-path"], "swift build --show-bin-path").strip()
    return pathlib.Path(folder) / "hotswap"


@functools.cache
def workspace() -> pathlib.Path:
    """A folder for this run's man page and packages."""
    return pathlib.Path(tempfile.mkdtemp(prefix="hotswap-release-"))


@functools.cache
def manpage() -> pathlib.Path:
    """hotswap.1, generated from the release binary."""
    folder = workspace() / "man"
    _run(["scripts/generate-manpage.sh", str(release_binary()), str(folder)], "scripts/generate-manpage.sh")
    return folder / "hotswap.1"


def changelog_version() -> str:
    return _run(["dpkg-parsechangelog", "-l", "packaging/deb/changelog", "-S", "Version"], "dpkg-parsechangelog").strip()


@functools.cache
def deb(version: str | None = None) -> pathlib.Path:
    """The package, at the changelog's version unless `version` is given."""
    outdir = workspace() / "deb"
    env = dict(os.environ, HOTSWAP_BINARY=str(release_binary()), HOTSWAP_MANPAGE=str(manpage()), DEB_OUTDIR=str(outdir))
    if version:
        env["DEB_VERSION"] = version
    out = _run(["scripts/build-deb.sh"], f"scripts/build-deb.sh {version or ''}", env=env)
    return pathlib.Path(out.strip().splitlines()[-1]).resolve()


def cleanup() -> None:
    """Removes this run's man page and packages, if any were made."""
    if workspace.cache_info().currsize:
        shutil.rmtree(workspace(), ignore_errors=True)
        workspace.cache_clear()
        manpage.cache_clear()
        deb.cache_clear()


def upgrade_deb() -> pathlib.Path:
    """A newer package than `deb()`, for the upgrade test."""
    return deb(changelog_version() + UPGRADE_SUFFIX)
