#!/usr/bin/env python3
"""Time and memory of two attacks from the hostile-network issue, for one build or two (a
baseline and the current build, measured in the same run):

- Row 7: one `POST /predict` and one `POST /v2/models/iris/infer` of a 1 MB JSON object with
  90 000 keys: time to the answer, the slowest concurrent `GET /health`, RSS before and after.
- Row 8: 300 000 pipelined `GET /metrics` on one connection that never reads, kept up for
  `--hold` seconds: peak RSS, RSS after the client disconnects, the slowest concurrent
  `GET /health`, and how many requests the server took.

Usage: .venv/bin/python bench/server/bench_attacks.py [--bin-dir DIR] [--baseline-bin-dir DIR]
Results are printed and written to bench/results/attacks.json.
"""

from __future__ import annotations

import argparse
import http.client
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_server import REPO, build, free_port, rss_kib, stop, wait_http, write_results  # noqa: E402

MIB = 1 << 20


class HealthProbe:
    """Calls /health on fresh connections in a thread; `worst` is the slowest answer (seconds)."""

    def __init__(self, port: int):
        self.port = port
        self.worst = 0.0
        self.calls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(120)

    def _run(self):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/health")
                conn.getresponse().read()
                conn.close()
            except OSError:
                pass
            self.worst = max(self.worst, time.monotonic() - started)
            self.calls += 1
            self._stop.wait(0.05)


def start(binary: pathlib.Path, work: pathlib.Path, request_timeout: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = work / "active.toml"
    config.write_text(
        f"""[server]
listen = "127.0.0.1:{port}"
model_name = "iris"
request_timeout = "{request_timeout}"
max_body_bytes = 4194304

[slots.blue]
model = "{REPO}/models/iris/v1.0.0/model.onnx"
[traffic]
blue = 1
"""
    )
    proc = subprocess.Popen(
        [str(binary), "serve", "--config", str(config), "--log-level", "warning"],
        env=dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(work / "state")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(port, "/health", time.monotonic() + 30)
    return proc, port


def many_keys(count: int) -> bytes:
    return ("{" + ",".join(f'"k{i:06d}":{i}' for i in range(count)) + "}").encode()


def row7(proc: subprocess.Popen, port: int, path: str) -> dict:
    body = many_keys(90_000)
    rss_before = rss_kib(proc.pid) / 1024
    with HealthProbe(port) as probe:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        elapsed = time.monotonic() - started
        conn.close()
    return {
        "path": path,
        "body_bytes": len(body),
        "status": response.status,
        "seconds": elapsed,
        "health_worst_ms": probe.worst * 1000,
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_kib(proc.pid) / 1024,
    }


def row8(proc: subprocess.Popen, port: int, hold: float) -> dict:
    request = b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n"
    payload = request * 300_000
    rss_before = rss_kib(proc.pid) / 1024
    peak = rss_before
    sent = 0
    closed_by_server = None
    # Small client buffers, so that what the kernels absorb does not hide whether the server read.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    with HealthProbe(port) as probe:
        started = time.monotonic()
        while time.monotonic() - started < hold:
            try:
                if sent < len(payload):
                    sent += sock.send(payload[sent : sent + (1 << 16)])
                else:
                    time.sleep(0.02)
            except BlockingIOError:
                time.sleep(0.02)
            except (BrokenPipeError, ConnectionResetError):
                closed_by_server = time.monotonic() - started
                break
            peak = max(peak, rss_kib(proc.pid) / 1024)
        sock.close()
        time.sleep(2)
    return {
        "requests_sent": sent // len(request),
        "hold_seconds": hold,
        "closed_by_server_after_s": closed_by_server,
        "health_worst_ms": probe.worst * 1000,
        "rss_before_mib": rss_before,
        "rss_peak_mib": peak,
        "rss_after_disconnect_mib": rss_kib(proc.pid) / 1024,
    }


def measure(binary: pathlib.Path, hold: float) -> dict:
    work = pathlib.Path(tempfile.mkdtemp(prefix="hotswap-attacks-"))
    proc = None
    try:
        proc, port = start(binary, work, request_timeout="10s")
        result = {
            "row7_predict": row7(proc, port, "/predict"),
            "row7_infer": row7(proc, port, "/v2/models/iris/infer"),
        }
        result["row8"] = row8(proc, port, hold)
        return result
    finally:
        if proc:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def report(name: str, result: dict) -> None:
    for key in ("row7_predict", "row7_infer"):
        r = result[key]
        print(f"{name:8} row 7 {r['path']:22} {r['status']} in {r['seconds']:7.3f}s; /health worst "
              f"{r['health_worst_ms']:8.1f} ms; RSS {r['rss_before_mib']:.1f} → {r['rss_after_mib']:.1f} MiB")
    r = result["row8"]
    closed = f"closed by the server after {r['closed_by_server_after_s']:.1f}s" if r["closed_by_server_after_s"] else "not closed"
    print(f"{name:8} row 8 took {r['requests_sent']} of 300000 requests ({closed}); /health worst "
          f"{r['health_worst_ms']:.1f} ms; RSS {r['rss_before_mib']:.1f} → peak {r['rss_peak_mib']:.1f} → "
          f"{r['rss_after_disconnect_mib']:.1f} MiB after disconnect")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", help="the build to measure (default: a release build of this checkout)")
    parser.add_argument("--baseline-bin-dir", help="a second build measured first in the same run")
    parser.add_argument("--hold", type=float, default=15.0, help="seconds the row 8 client keeps its connection")
    parser.add_argument("--out", default=str(REPO / "bench/results/attacks.json"))
    args = parser.parse_args()
    results = {}
    if args.baseline_bin_dir:
        results["baseline"] = measure(pathlib.Path(args.baseline_bin_dir) / "hotswap", args.hold)
    results["current"] = measure(build(args.bin_dir) / "hotswap", args.hold)
    print()
    for name, result in results.items():
        report(name, result)
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
