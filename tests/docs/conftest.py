"""Fixtures for the documentation suites: a folder laid out like a fresh clone (conf/active.toml,
models/) with `hotswap serve` running on it as the service user, as `scripts/run.sh` runs it."""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import shutil
import signal
import subprocess

import pytest
from documented_commands import Shell
from process_support import as_service_user, free_port, hand_to_service_user, service_directory, wait_until


class Checkout:
    """A copy of the repository's conf/ (listening on a free port) beside its models/, served by
    `hotswap serve --config conf/active.toml` started in that folder."""

    def __init__(self, repo: pathlib.Path, bin_dir: pathlib.Path):
        self.root = service_directory("hotswap-docs-")
        self.port = free_port()
        (self.root / "conf").mkdir()
        text = (repo / "conf" / "active.toml").read_text()
        assert 'listen = "127.0.0.1:8080"' in text, "the bundled config no longer listens on 127.0.0.1:8080"
        self.config = self.root / "conf" / "active.toml"
        self.config.write_text(text.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}"))
        (self.root / "models").symlink_to(repo / "models")
        hand_to_service_user(self.root)
        self.shell = Shell(self.root, self.port, bin_dir)
        self.log_path = self.root / "serve.log"
        self._log = open(self.log_path, "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LISTEN_", "NOTIFY_", "WATCHDOG_"))}
        self.popen = subprocess.Popen(
            as_service_user([str(bin_dir / "hotswap"), "serve", "--config", "conf/active.toml"]),
            cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT, env=env,
        )
        wait_until(self._ready, 60, f"hotswap serving the checkout on port {self.port}")

    def _ready(self) -> bool:
        if self.popen.poll() is not None:
            raise AssertionError(f"hotswap exited with {self.popen.returncode}:\n{self.log()}")
        return self.get("/health")[0] == 200

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def status(self) -> dict:
        return json.loads(self.get("/status")[1])

    def shares(self) -> dict[str, float]:
        return {slot["name"]: round(slot["share"], 3) for slot in self.status()["slots"]}

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def checkout(repo_root, bin_dir):
    """A fresh clone's config served as `scripts/run.sh` serves it."""
    running = Checkout(repo_root, bin_dir)
    yield running
    running.stop()
