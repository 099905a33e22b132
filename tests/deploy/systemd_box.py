"""An edge box for the systemd suites: a booted nspawn machine with Hotswap installed the way an
operator installs it, and the calls the checks make — HTTP through the machine's loopback (host
curl in its network namespace), `hotswap` CLI commands inside, systemd's view of the service, a
client loop running across restarts and upgrades."""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import signal
import subprocess

from nspawn import Machine

CLIENT_LOOP = pathlib.Path(__file__).with_name("client_loop.py")
PORT = 8080


class Box:
    """A `Machine` seen as an edge box running hotswap.service on port 8080."""

    def __init__(self, machine: Machine, python: str):
        self.machine = machine
        self.python = python

    # -- HTTP ------------------------------------------------------------------------------------

    def http(self, method: str, path: str, body: str | None = None, timeout: float = 10) -> tuple[int, str]:
        """(status, body) of one request to the box's 127.0.0.1:8080; status 0 if nothing answers."""
        argv = ["curl", "-sS", "--max-time", str(timeout), "-X", method, "-o", "-", "-w", "\n%{http_code}"]
        if body is not None:
            argv += ["-H", "Content-Type: application/json", "--data-binary", body]
        result = self.machine.host([*argv, f"http://127.0.0.1:{PORT}{path}"], check=False, timeout=timeout + 5)
        text, _, code = result.stdout.rpartition("\n")
        return int(code or 0), text

    def status(self) -> dict:
        code, text = self.http("GET", "/status")
        assert code == 200, text
        return json.loads(text)

    def shares(self) -> dict[str, float]:
        return {slot["name"]: slot["share"] for slot in self.status()["slots"]}

    def wait_for_shares(self, expected: dict[str, float], timeout: float = 10) -> None:
        def applied():
            try:
                return self.shares() == expected
            except (AssertionError, ValueError):
                return False

        self.machine.wait_for(applied, timeout, f"shares {expected}")

    # -- the service -----------------------------------------------------------------------------

    def service(self, name: str) -> str:
        return self.machine.property("hotswap.service", name)

    def main_pid(self) -> int:
        return int(self.service("MainPID"))

    def wait_active(self, timeout: float = 60) -> None:
        def active():
            state = self.service("ActiveState")
            if state == "failed":
                raise AssertionError(f"hotswap.service failed:\n{self.machine.journal()[-4000:]}")
            return state == "active" and self.service("SubState") == "running"

        self.machine.wait_for(active, timeout, "hotswap.service to be active")

    def hotswap(self, *args: str, check: bool = True):
        """The `hotswap` CLI inside the box, as root (as an operator runs it with sudo)."""
        return self.machine.run(["hotswap", *args], check=check)

    def write_config(self, text: str, in_place: bool) -> None:
        """Saves /etc/hotswap/active.toml as root: rename over it (editors, the CLI) or rewrite
        the same file (tools that truncate and write)."""
        if in_place:
            self.machine.run(["sh", "-c", "cat > /etc/hotswap/active.toml"], input=text)
        else:
            self.machine.run(
                ["sh", "-c", "cat > /etc/hotswap/.active.toml.new && mv /etc/hotswap/.active.toml.new /etc/hotswap/active.toml"],
                input=text,
            )

    def config(self) -> str:
        return self.machine.path("/etc/hotswap/active.toml").read_text()

    # -- load ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def client_loop(self, clients: int = 4, seconds: float = 240):
        """Runs client_loop.py in the box's network while the block runs; `.result` afterwards."""
        loop = ClientLoop(self, clients, seconds)
        try:
            yield loop
        finally:
            loop.finish()


class ClientLoop:
    """client_loop.py in the box's network namespace, stopped with SIGTERM; `result` holds its
    JSON report (ok, refused, failed, failures, versions)."""

    def __init__(self, box: Box, clients: int, seconds: float):
        self.result: dict | None = None
        self.process = box.machine.host_popen(
            [box.python, str(CLIENT_LOOP), "--port", str(PORT), "--clients", str(clients), "--seconds", str(seconds)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.box = box

    def wait_for_ok(self, count: int, timeout: float = 60) -> None:
        """Waits until the running server process has answered `count` more requests (the loop
        reports only at the end, so this reads the server's `predict_requests_total` counters; a
        restarted server counts from 0, so call this again after a restart)."""
        start = self._served()
        self.box.machine.wait_for(lambda: self._served() - start >= count, timeout, f"{count} answered requests")

    def _served(self) -> int:
        code, text = self.box.http("GET", "/metrics")
        if code != 200:
            return 0
        values = re.findall(r"^predict_requests_total\{[^}]*\} (\d+(?:\.\d+)?)", text, re.M)
        return int(sum(float(value) for value in values))

    def finish(self) -> dict:
        if self.result is None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            out, err = self.process.communicate(timeout=120)
            lines = out.strip().splitlines()
            assert lines, f"the client loop printed nothing: {err}"
            self.result = json.loads(lines[-1])
        return self.result
