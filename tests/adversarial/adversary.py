"""The adversarial suites' server and probes: `hotswap serve` as the unprivileged service user,
under an address-space limit (a regression that allocates without bound fails the test instead of
swapping the machine), with its RSS, its liveness and a concurrent /health probe that measures how
long other clients wait while an attack runs. Loopback only; every attack is bounded."""

from __future__ import annotations

import http.client
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import threading
import time

from process_support import as_service_user, free_port, hand_to_service_user, service_directory, wait_until

GIB = 1 << 30
# Address space the server may map. The idle server maps far less; malloc's per-thread arenas and
# thread stacks are reservations, not use, so the cap stays well above them.
DEFAULT_ADDRESS_SPACE = 4 * GIB


def iris_config(repo: pathlib.Path, server: str = "", extra: str = "") -> str:
    """Blue iris v1.0.0 with all traffic, green v1.1.0 on standby; `server` adds [server] lines."""
    models = repo / "models" / "iris"
    return (
        f'[server]\nmodel_name = "iris"\n{server}\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n'
        f'[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"\n\n'
        f"[traffic]\nblue = 100\ngreen = 0\n\n{extra}\n"
    )


def rss_bytes(pid: int) -> int:
    """Resident set size of `pid` from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


class AdversaryServer:
    """One `hotswap serve` under attack. Its folder (config, state, log) belongs to the service
    user; `stop()` ends it by PID and removes the folder."""

    def __init__(
        self,
        bin_dir: pathlib.Path,
        config_text: str,
        address_space: int = DEFAULT_ADDRESS_SPACE,
        args: tuple[str, ...] = (),
        wait: bool = True,
    ):
        self.directory = service_directory("hotswap-adversary-")
        self.config = self.directory / "active.toml"
        self.config.write_text(config_text)
        self.state = self.directory / "state"
        self.state.mkdir()
        hand_to_service_user(self.directory)
        self.port = free_port()
        self.log_path = self.directory / "serve.log"
        self._log = open(self.log_path, "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LISTEN_", "NOTIFY_", "WATCHDOG_"))}
        env["HOTSWAP_STATE_DIRECTORY"] = str(self.state)

        def limit_address_space():
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

        command = [
            str(bin_dir / "hotswap"), "serve", "--config", str(self.config),
            "--listen", f"127.0.0.1:{self.port}", *args,
        ]
        self.popen = subprocess.Popen(
            as_service_user(command), stdout=self._log, stderr=subprocess.STDOUT, env=env,
            preexec_fn=limit_address_space,
        )
        if wait:
            self.wait_ready()

    # -- state ---------------------------------------------------------------------------------

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss(self) -> int:
        return rss_bytes(self.popen.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far (all its threads), from /proc."""
        with open(f"/proc/{self.popen.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def request(self, method: str, path: str, body: bytes | None = None, headers=None, timeout: float = 5.0):
        """One request on a new connection: (status, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready():
            self.assert_running()
            return self.request("GET", "/health", timeout=2)[0] == 200

        wait_until(ready, timeout, f"hotswap on port {self.port}")

    def assert_running(self) -> None:
        code = self.popen.poll()
        if code is not None:
            raise AssertionError(f"hotswap exited with {code}:\n{self.log()[-4000:]}")

    def assert_serving(self, timeout: float = 5.0) -> None:
        """Alive, and answers /health and a prediction within `timeout`."""
        self.assert_running()
        status, body = self.request("GET", "/health", timeout=timeout)
        assert status == 200, body
        status, body = self.request(
            "POST", "/predict", b'{"features":[5.1,3.5,1.4,0.2]}', {"Content-Type": "application/json"}, timeout
        )
        assert status == 200, body

    def stop(self) -> int | None:
        code = self.popen.poll()
        if code is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                code = self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                code = self.popen.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        return code


class HealthProbe:
    """Calls /health on a fresh connection every `interval` seconds in a thread while an attack
    runs; `worst` is the slowest answer seen (a failed or timed-out call counts as `timeout`)."""

    def __init__(self, port: int, interval: float = 0.05, timeout: float = 10.0):
        self.port = port
        self.interval = interval
        self.timeout = timeout
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "HealthProbe":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    @property
    def worst(self) -> float:
        return max(self.latencies, default=0.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request("GET", "/health")
                status = conn.getresponse().status
                conn.close()
                if status != 200:
                    self.failures.append(f"status {status}")
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(repr(error))
                self.latencies.append(self.timeout)
            else:
                self.latencies.append(time.monotonic() - started)
            self._stop.wait(self.interval)

    def assert_responsive(self, bound: float = 1.0) -> None:
        """Every /health answered 200 within `bound` seconds while the attack ran."""
        assert self.latencies, "the probe made no call"
        assert not self.failures, f"/health failed during the attack: {self.failures[:5]}"
        assert self.worst <= bound, f"/health took {self.worst:.2f}s during the attack (bound {bound}s)"
