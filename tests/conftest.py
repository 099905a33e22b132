"""Shared fixtures for the Python test suites: where the repository and the built binaries are."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent


def _bin_dir() -> pathlib.Path:
    env = os.environ.get("HOTSWAP_BIN_DIR")
    if env:
        return pathlib.Path(env)
    out = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
    )
    return pathlib.Path(out.stdout.strip())


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    """The repository's top folder."""
    return REPO


@pytest.fixture(scope="session")
def bin_dir() -> pathlib.Path:
    """Folder holding the built `hotswap` and `hotswap-onnx` executables (scripts/test.sh builds them)."""
    path = _bin_dir()
    if not (path / "hotswap").exists():
        pytest.fail(f"{path}/hotswap is missing: build first (scripts/test.sh does)")
    return path
