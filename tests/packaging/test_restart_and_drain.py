"""Socket activation and graceful shutdown, end to end with the real binary.

The test holds the listening socket, as systemd's hotswap.socket does, and passes it to the
server as fd 3 with LISTEN_FDS/LISTEN_PID. Restarting the server on that socket while clients keep
connecting must refuse and fail nothing; SIGTERM under load must finish every request the server
has begun and exit 0 within the drain timeout."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from hotswap_process import free_port, http_request, predict_body, wait_until
from process_support import as_service_user

pytestmark = pytest.mark.slow

CLIENTS = 4


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


def set_server_key(config, key, value):
    """Sets `key = value` in the [server] table of the config file (adds the table if missing)."""
    text = config.read_text()
    header = r"^\[server\][ \t]*(#.*)?$"
    if re.search(header, text, re.M):
        text = re.sub(header, lambda m: f"{m.group(0)}\n{key} = {value}", text, count=1, flags=re.M)
    else:
        text = f"[server]\n{key} = {value}\n\n" + text
    config.write_text(text)


class Load:
    """Clients that each send POST /predict on a new connection, again and again, and sort the
    outcomes. `listener_closed` marks errors caused by the test closing the listening socket after
    the server exited (connections the server never accepted)."""

    def __init__(self, port: int):
        self.port = port
        self.lock = threading.Lock()
        self.ok = 0
        self.refused = 0
        self.failed: list[str] = []
        self.never_accepted = 0
        self.stop = threading.Event()
        self.listener_closed = threading.Event()
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(CLIENTS)]

    def client(self):
        body = predict_body()
        while not self.stop.is_set():
            try:
                status, headers, data = http_request(self.port, "POST", "/predict", body, timeout=60)
                good = status == 200 and b'"prediction"' in data and "x-hotswap-slot" in headers
                with self.lock:
                    if good:
                        self.ok += 1
                    else:
                        self.failed.append(f"HTTP {status}: {data[:200]!r}")
            except ConnectionRefusedError:
                with self.lock:
                    self.refused += 1
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    if self.listener_closed.is_set():
                        self.never_accepted += 1
                    else:
                        self.failed.append(repr(error))

    def start(self):
        for thread in self.threads:
            thread.start()

    def count(self) -> int:
        with self.lock:
            return self.ok

    def wait_for(self, ok: int, timeout: float = 60.0):
        wait_until(lambda: self.count() >= ok, timeout, f"{ok} successful requests")

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)
        assert not any(thread.is_alive() for thread in self.threads), "a client is stuck"


def test_restart_on_the_inherited_socket_refuses_nothing(hotswap_factory, active_config):
    listener = listening_socket()
    port = listener.getsockname()[1]
    args = ["serve", "--config", str(active_config)]
    load = Load(port)
    try:
        first = hotswap_factory(args, port, listen_fd=listener.fileno())
        first.wait_ready()
        load.start()
        load.wait_for(100)
        # systemctl restart: SIGTERM, wait for the exit, start the new binary on the same socket.
        assert first.terminate_and_wait(timeout=60) == 0, first.log()
        at_restart = load.count()
        second = hotswap_factory(args, port, listen_fd=listener.fileno())
        load.wait_for(at_restart + 100)
        load.finish()
        assert second.terminate_and_wait(timeout=60) == 0, second.log()
    finally:
        load.stop.set()
        listener.close()
    assert load.refused == 0
    assert load.failed == []
    assert load.ok >= at_restart + 100


def test_sigterm_finishes_in_flight_requests_under_load(hotswap_factory, active_config):
    set_server_key(active_config, "drain_timeout", '"5s"')
    listener = listening_socket()
    port = listener.getsockname()[1]
    server = hotswap_factory(["serve", "--config", str(active_config)], port, listen_fd=listener.fileno())
    server.wait_ready()
    load = Load(port)
    # Requests the server has certainly begun: an answered request on the same keep-alive
    # connection proves it was accepted, then half of a POST /predict is sent before SIGTERM.
    body = predict_body()
    half = len(body) // 2
    begun = []
    for _ in range(6):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/health")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        conn.putrequest("POST", "/predict")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        conn.send(body[:half])
        begun.append(conn)
    try:
        load.start()
        load.wait_for(100)
        started = time.monotonic()
        server.popen.send_signal(signal.SIGTERM)
        answers = []
        for conn in begun:
            conn.send(body[half:])
            response = conn.getresponse()
            answers.append((response.status, response.read()))
            conn.close()
        code = server.popen.wait(timeout=30)
        elapsed = time.monotonic() - started
        # The server is gone; connections still waiting in the backlog were never accepted.
        load.listener_closed.set()
        listener.close()
        load.finish()
    finally:
        load.stop.set()
        listener.close()
    assert code == 0, server.log()
    assert elapsed < 5 + 5, f"shutdown took {elapsed:.1f}s with a 5s drain timeout"
    for status, data in answers:
        assert status == 200 and b'"prediction"' in data, (status, data)
    assert load.failed == []
    assert load.ok >= 100


def test_drain_timeout_bounds_shutdown(hotswap_factory, active_config):
    set_server_key(active_config, "drain_timeout", '"2s"')
    port = free_port()
    server = hotswap_factory(["serve", "--config", str(active_config), "--listen", f"127.0.0.1:{port}"], port)
    server.wait_ready()
    # A client that starts a request and never finishes it must not keep the server alive.
    stuck = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        stuck.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        status, _, _ = http_request(port, "GET", "/health")
        assert status == 200
        started = time.monotonic()
        server.popen.send_signal(signal.SIGTERM)
        code = server.popen.wait(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        stuck.close()
    assert code == 0, server.log()
    assert elapsed < 2 + 6, f"shutdown took {elapsed:.1f}s with a 2s drain timeout"
    with pytest.raises(ConnectionRefusedError):
        http_request(port, "GET", "/health", timeout=2)


@pytest.mark.skipif(shutil.which("systemd-socket-activate") is None, reason="systemd's socket activation tool is missing")
def test_systemd_socket_activate_starts_on_the_first_connection(bin_dir, active_config, service_dir, tmp_path):
    # systemd's own LISTEN_FDS implementation: it binds, waits for a connection, then execs the
    # server with the socket as fd 3; that first request waits in the backlog and is served. (A
    # server that ignored the socket would bind [server] listen instead and never answer here.)
    port = free_port()
    log = open(tmp_path / "activate.log", "wb")
    activator = subprocess.Popen(
        ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "--fdname=hotswap",
         "-E", f"HOTSWAP_STATE_DIRECTORY={service_dir / 'state'}",
         *as_service_user([str(bin_dir / "hotswap"), "serve", "--config", str(active_config)])],
        stdout=log, stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("LISTEN_", "NOTIFY_", "WATCHDOG_"))},
    )
    try:
        wait_until(lambda: "Listening on" in (tmp_path / "activate.log").read_text(), 10, "the activator to listen")
        status, headers, body = http_request(port, "POST", "/predict", predict_body(), timeout=60)
        assert status == 200 and b'"prediction"' in body, body
        assert headers["x-hotswap-slot"] == "blue"
        activator.send_signal(signal.SIGTERM)
        assert activator.wait(timeout=30) == 0
    finally:
        if activator.poll() is None:
            activator.kill()
            activator.wait(timeout=10)
        log.close()
