"""Fixtures for the observability suites: servers started on free loopback ports as the
unprivileged service user and stopped by PID, and the guard's test model (fails at run time on
some inputs)."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from failing_model import write_failing_model
from observability_server import Server
from process_support import service_directory


@pytest.fixture
def tmp_path():
    """Each test's folder (configs, models, the server's state) belongs to the service user, who
    runs the server: pytest's own tmp folders are root's and 0700."""
    path = service_directory("hotswap-observability-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_server(bin_dir, tmp_path):
    """Starts `hotswap serve` over a config file; every server is stopped at the end."""
    servers: list[Server] = []

    def start(config: pathlib.Path, args=()) -> Server:
        server = Server(bin_dir, config, tmp_path / "state", tmp_path / f"hotswap-{len(servers)}.log", args)
        servers.append(server)
        return server.wait_ready()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def failing_model(tmp_path) -> pathlib.Path:
    """An ONNX model that answers 0…9 for a first feature in [0, 10) and fails otherwise."""
    path = tmp_path / "failing" / "v9.9.9" / "model.onnx"
    write_failing_model(path)
    return path
