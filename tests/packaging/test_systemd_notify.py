"""The sd_notify protocol as hotswap.service (Type=notify, WatchdogSec=) relies on it, spoken to a
datagram socket the test owns in place of systemd: READY=1 only once the plan serves, STATUS=
with generation and shares, WATCHDOG=1 at half WATCHDOG_USEC, RELOADING=1 then READY=1 around a
SIGHUP re-read, STOPPING=1 on SIGTERM, exit 0."""

import signal
import socket
import time

import pytest

from hotswap_process import free_port, http_request
from process_support import hand_to_service_user

pytestmark = pytest.mark.slow


class NotifySocket:
    """The receiving end of NOTIFY_SOCKET."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received: list[dict[str, str]] = []

    def next_matching(self, predicate, timeout: float) -> dict[str, str]:
        """Receives datagrams until one satisfies `predicate`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no matching sd_notify message in {timeout}s; got {self.received}"
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            message = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            self.received.append(message)
            if predicate(message):
                return message

    def close(self):
        self.sock.close()


@pytest.fixture
def notify(service_dir):
    # In the service user's folder and handed to it, as systemd's notify socket is reachable by
    # the services it starts.
    sock = NotifySocket(service_dir / "notify.sock")
    hand_to_service_user(service_dir / "notify.sock")
    yield sock
    sock.close()


def test_notify_lifecycle(hotswap_factory, active_config, notify):
    port = free_port()
    server = hotswap_factory(
        ["serve", "--config", str(active_config), "--listen", f"127.0.0.1:{port}"],
        port,
        env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"},
        own_pid_env=["WATCHDOG_PID"],
    )
    ready = notify.next_matching(lambda m: m.get("READY") == "1", timeout=60)
    # READY=1 means the first plan serves: a request right now must succeed.
    status, _, body = http_request(port, "GET", "/health")
    assert status == 200 and b'"status":"ok"' in body.replace(b" ", b"")
    assert "generation" in ready.get("STATUS", ""), ready
    assert "blue=" in ready["STATUS"] and "%" in ready["STATUS"], ready

    pings = 0
    started = time.monotonic()
    while pings < 4:
        notify.next_matching(lambda m: m.get("WATCHDOG") == "1", timeout=3)
        pings += 1
    # Every 0.5 s for a 1 s watchdog: four pings in well under 4 s.
    assert time.monotonic() - started < 4

    server.popen.send_signal(signal.SIGHUP)
    notify.next_matching(lambda m: m.get("RELOADING") == "1", timeout=10)
    again = notify.next_matching(lambda m: m.get("READY") == "1", timeout=30)
    assert "generation" in again.get("STATUS", ""), again

    server.popen.send_signal(signal.SIGTERM)
    notify.next_matching(lambda m: m.get("STOPPING") == "1", timeout=10)
    assert server.popen.wait(timeout=30) == 0, server.log()


def test_no_ready_for_a_broken_plan(hotswap_factory, active_config, notify):
    active_config.write_text(active_config.read_text().replace("model.onnx", "missing.onnx"))
    port = free_port()
    server = hotswap_factory(
        ["serve", "--config", str(active_config), "--listen", f"127.0.0.1:{port}"],
        port,
        env={"NOTIFY_SOCKET": notify.path},
    )
    code = server.popen.wait(timeout=60)
    assert code != 0
    notify.sock.setblocking(False)
    messages = []
    while True:
        try:
            messages.append(notify.sock.recv(4096).decode())
        except BlockingIOError:
            break
    assert not any("READY=1" in m for m in messages), messages
    assert "missing.onnx" in server.log()
