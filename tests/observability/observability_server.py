"""A `hotswap serve` child process for the observability suites: a config in a temporary folder
with absolute model paths, a free loopback port, HTTP helpers and waiting with a deadline."""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import signal
import subprocess

import process_support
from process_support import as_service_user, free_port

SYSTEMD_VARIABLES = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"}


def wait_until(predicate, timeout: float, what: str, interval: float = 0.02):
    """`process_support.wait_until`, polling faster and also retrying half-written JSON."""
    return process_support.wait_until(
        predicate, timeout, what, interval, retry_on=process_support.RETRIED_ERRORS + (ValueError,)
    )


def config_text(repo: pathlib.Path, blue: str, green: str, traffic: str, extra: str = "") -> str:
    """A config serving `blue` and `green` (absolute model paths or paths under models/)."""

    def resolve(model: str) -> str:
        return model if model.startswith("/") else str(repo / "models" / model)

    return (
        f'[server]\nmodel_name = "iris"\n\n[slots.blue]\nmodel = "{resolve(blue)}"\n\n'
        f'[slots.green]\nmodel = "{resolve(green)}"\n\n[traffic]\n{traffic}\n\n{extra}\n'
    )


class Server:
    """One `hotswap serve` process, run as the service user; `stop()` ends it by PID."""

    def __init__(self, bin_dir: pathlib.Path, config: pathlib.Path, state: pathlib.Path, log: pathlib.Path, args=()):
        self.port = free_port()
        self.config = config
        self.log_path = log
        env = {k: v for k, v in os.environ.items() if k not in SYSTEMD_VARIABLES}
        env["HOTSWAP_STATE_DIRECTORY"] = str(state)
        self._log = open(log, "ab")
        self.popen = subprocess.Popen(
            as_service_user(
                [str(bin_dir / "hotswap"), "serve", "--config", str(config), "--listen", f"127.0.0.1:{self.port}", *args]
            ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.connection = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> "Server":
        def ready():
            if self.popen.poll() is not None:
                raise AssertionError(f"hotswap exited with {self.popen.returncode}:\n{self.log()}")
            return self.request("GET", "/health", keep=False)[0] == 200

        wait_until(ready, timeout, f"hotswap on port {self.port}")
        return self

    def request(self, method: str, path: str, body=None, headers=None, keep=True, timeout: float = 10.0):
        """(status, headers, body bytes); `keep` reuses one keep-alive connection."""
        if not keep or self.connection is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        else:
            conn = self.connection
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.connection = None
            raise
        if keep:
            self.connection = conn
        else:
            conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def status(self) -> dict:
        code, _, payload = self.request("GET", "/status")
        assert code == 200, payload
        return json.loads(payload)

    def share(self, slot: str) -> float:
        return next(s["share"] for s in self.status()["slots"] if s["name"] == slot)

    def predict(self, features) -> tuple[int, dict]:
        code, headers, payload = self.request("POST", "/predict", {"features": list(features)})
        return code, json.loads(payload) if payload else {}

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()


def save(path: pathlib.Path, text: str) -> None:
    """Saves the config as editors do (temporary file, then rename), so the server never reads a
    half-written file — which it would reject, and log, before reading the whole one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
