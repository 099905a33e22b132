"""Running `hotswap` as a child process in the packaging suites: free loopback ports, one-shot HTTP
requests, waiting on a condition with a deadline, and the process handle."""

import http.client
import json
import pathlib
import signal
import subprocess

from process_support import free_port, wait_until  # noqa: F401 (re-exported to the tests)

READY_TIMEOUT = 60.0


def http_request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 10.0):
    """One request on a new connection; returns (status, headers dict lower-cased, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def is_ready(port: int) -> bool:
    """Open Inference Protocol readiness; a build without that protocol (404) answers /health."""
    status, _, _ = http_request(port, "GET", "/v2/health/ready", timeout=2)
    if status == 404:
        status, _, _ = http_request(port, "GET", "/health", timeout=2)
    return status == 200


class HotswapProcess:
    """A `hotswap` child process with its output captured in a file under the test's tmp dir."""

    def __init__(self, popen: subprocess.Popen, log_path: pathlib.Path, port: int):
        self.popen = popen
        self.log_path = log_path
        self.port = port

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        def ready():
            if self.popen.poll() is not None:
                raise AssertionError(f"hotswap exited with {self.popen.returncode}:\n{self.log()}")
            return is_ready(self.port)

        wait_until(ready, timeout, f"hotswap on port {self.port} to be ready")

    def terminate_and_wait(self, timeout: float = 60.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=timeout)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)


def predict_body(features=(5.1, 3.5, 1.4, 0.2)) -> bytes:
    """The seed's /predict body."""
    return json.dumps({"features": list(features)}).encode()
