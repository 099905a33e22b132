"""Fixtures for the real-client suites: a `hotswap serve` child process per module on a free
loopback port, run as the unprivileged service user, serving the repository's iris models as blue
(v1.0.0) and green (v1.1.0), and the seed's PredictionService stubs generated from
proto/hotswap/model.proto with grpcio-tools."""

import http.client
import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from process_support import as_service_user, free_port, service_directory, wait_until

READY_TIMEOUT = 60.0


def config_text(repo: pathlib.Path, traffic: str) -> str:
    models = repo / "models" / "iris"
    return (
        '[server]\nlisten = "127.0.0.1:0"\nmodel_name = "iris"\n\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n'
        f'[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"\n\n'
        f"[traffic]\n{traffic}\n"
    )


class Server:
    """A running `hotswap serve` as the service user, in a folder of its own (config, state, log);
    `save(traffic)` rewrites its config file (the server applies it)."""

    def __init__(self, bin_dir: pathlib.Path, repo: pathlib.Path, traffic: str):
        self.repo = repo
        self.directory = service_directory("hotswap-clients-")
        directory = self.directory
        self.config = directory / "active.toml"
        self.config.write_text(config_text(repo, traffic))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log = open(directory / "serve.log", "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LISTEN_", "NOTIFY_", "WATCHDOG_"))}
        env["HOTSWAP_STATE_DIRECTORY"] = str(directory / "state")
        self.process = subprocess.Popen(
            as_service_user([str(bin_dir / "hotswap"), "serve", "--config", str(self.config), "--listen", self.address]),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        wait_until(self.ready, READY_TIMEOUT, "hotswap to answer /v2/health/ready")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"hotswap exited with {self.process.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/v2/health/ready")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    def save(self, traffic: str) -> None:
        """Saves the config the way editors do: write a temp file, rename it over the old one."""
        temporary = self.config.with_suffix(".tmp")
        temporary.write_text(config_text(self.repo, traffic))
        temporary.replace(self.config)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def own_server(bin_dir, repo_root):
    """A server of the test's own (blue 100 %, green on standby), for tests that stop it."""
    running = Server(bin_dir, repo_root, "blue = 100\ngreen = 0")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server(bin_dir, repo_root):
    """hotswap serving blue 100 % (v1.0.0) with green (v1.1.0) on standby."""
    running = Server(bin_dir, repo_root, "blue = 100\ngreen = 0")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def seed_stubs(repo_root, tmp_path_factory):
    """`model_pb2`, `model_pb2_grpc` generated from our proto/hotswap/model.proto, as the seed imports them."""
    out = tmp_path_factory.mktemp("stubs")
    from grpc_tools import protoc

    proto_dir = repo_root / "proto" / "hotswap"
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{proto_dir}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            str(proto_dir / "model.proto"),
        ]
    )
    assert status == 0, "grpcio-tools could not compile proto/hotswap/model.proto"
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("model_pb2"), importlib.import_module("model_pb2_grpc")
    finally:
        sys.path.remove(str(out))
