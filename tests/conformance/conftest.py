"""Fixtures for the ONNX conformance suite: the `hotswap-onnx` tool and the model zoo."""

import os
import pathlib
import subprocess

import pytest

from onnx_tool import HotswapOnnx
from onnx_zoo import Zoo

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def onnx_tool() -> HotswapOnnx:
    """The built `hotswap-onnx` (from HOTSWAP_BIN_DIR, else `swift build --show-bin-path`)."""
    env = os.environ.get("HOTSWAP_BIN_DIR")
    if env:
        folder = pathlib.Path(env)
    else:
        out = subprocess.run(
            ["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
        )
        folder = pathlib.Path(out.stdout.strip())
    executable = folder / "hotswap-onnx"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: build it first (swift build --product hotswap-onnx)")
    return HotswapOnnx(executable)


@pytest.fixture(scope="session")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    """The model zoo, built on demand into a session temp folder."""
    return Zoo(tmp_path_factory.mktemp("zoo"))
