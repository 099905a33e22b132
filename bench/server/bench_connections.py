#!/usr/bin/env python3
"""What an open connection costs: 10 000 idle keep-alive connections against REST throughput.

With `max_connections = 12000` and the file limits raised (this process's and the server's),
the script opens 10 000 connections to `hotswap serve` (release build, loopback), sends one
`GET /health` on each and keeps them open, idle. It reports:

1. RSS per idle connection: the server's RSS with the 10 000 open minus its RSS before they
   were opened (after a warm-up run, so allocator arenas and thread stacks already exist).
   Goal: all 10 000 within 100 MiB.
2. REST throughput beside them: wrk (2 threads, 64 connections, `POST /predict`) with the idle
   connections open, against the same run without them, alternated for `--rounds` rounds;
   medians and the ratio. Goal: ≥ 90 %.

Usage: .venv/bin/python bench/server/bench_connections.py [--bin-dir DIR] [--idle 10000]
       [--seconds 8] [--rounds 3]
Results are printed and written to bench/results/connections.json.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_server import PREDICT_LUA, REPO, build, free_port, rss_kib, stop, wait_http, wrk, wrk_with_cpu, write_results  # noqa: E402

MIB = 1 << 20


def raise_file_limit(needed: int) -> None:
    """Raises this process's soft file limit (the server inherits it) to the hard limit, which
    must allow `needed` descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
        except (ValueError, PermissionError):
            raise SystemExit(f"the hard file limit is {hard}; {needed} descriptors are needed (`ulimit -Hn {needed}`)")
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def write_config(path: pathlib.Path, port: int) -> None:
    path.write_text(
        f"""[server]
listen = "127.0.0.1:{port}"
model_name = "iris"
max_connections = 12000
idle_timeout = "600s"

[slots.blue]
model = "{REPO}/models/iris/v1.0.0/model.onnx"
[slots.green]
model = "{REPO}/models/iris/v1.1.0/model.onnx"

[traffic]
blue = 100
green = 0
"""
    )


def open_idle(port: int, count: int, timeout: float = 120.0) -> list[socket.socket]:
    """`count` connections, each with one answered `GET /health`, left open and silent."""
    request = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"
    selector = selectors.DefaultSelector()
    sockets: list[socket.socket] = []
    pending = 0
    deadline = time.monotonic() + timeout
    batch = 200
    while len(sockets) < count or pending:
        # Open in batches so the listen backlog is never overrun.
        while len(sockets) < count and pending < batch:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(request)
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, bytearray())
            sockets.append(sock)
            pending += 1
        for key, _ in selector.select(timeout=1):
            buffer: bytearray = key.data
            chunk = key.fileobj.recv(4096)
            if not chunk:
                raise RuntimeError("the server closed an idle connection while it was being opened")
            buffer.extend(chunk)
            head, _, body = bytes(buffer).partition(b"\r\n\r\n")
            if not _:
                continue
            length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
            if len(body) >= length:
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"an idle connection's request failed: {head[:80]!r}")
                selector.unregister(key.fileobj)
                pending -= 1
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(sockets)} connections opened, {pending} unanswered after {timeout}s")
    selector.close()
    return sockets


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def wait_connections_closed(pid: int, expected_below: int, timeout: float = 30.0) -> None:
    """Waits until the server holds fewer than `expected_below` sockets (closes are asynchronous)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = 0
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
            except FileNotFoundError:
                pass  # closed while listing
        if count < expected_below:
            return
        time.sleep(0.1)
    raise RuntimeError("the server still holds the idle connections")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir")
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "bench/results/connections.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: scripts/deps.sh installs it", file=sys.stderr)
        return 1
    raise_file_limit(args.idle + 2000)  # the server inherits it
    binary = build(args.bin_dir) / "hotswap"
    work = pathlib.Path(tempfile.mkdtemp(prefix="hotswap-connections-"))
    results: dict = {"idle_connections": args.idle, "rounds": []}
    server = None
    try:
        port = free_port()
        config = work / "active.toml"
        write_config(config, port)
        server = subprocess.Popen(
            [str(binary), "serve", "--config", str(config), "--log-level", "warning"],
            env=dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(work / "state")),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(port, "/health", time.monotonic() + 30)
        script = work / "predict.lua"
        script.write_text(PREDICT_LUA)
        url = f"http://127.0.0.1:{port}/predict"
        wrk(url, 2, script)  # warm-up: arenas, thread pool, caches

        rss_before = rss_kib(server.pid) * 1024
        started = time.monotonic()
        idle = open_idle(port, args.idle)
        opened_in = time.monotonic() - started
        time.sleep(1)
        rss_with = rss_kib(server.pid) * 1024
        results["rss_before_mib"] = rss_before / MIB
        results["rss_with_idle_mib"] = rss_with / MIB
        results["idle_rss_mib"] = (rss_with - rss_before) / MIB
        results["bytes_per_idle_connection"] = (rss_with - rss_before) / args.idle
        results["open_seconds"] = opened_in
        print(
            f"{args.idle} idle connections opened in {opened_in:.1f}s: RSS {rss_before / MIB:.1f} → "
            f"{rss_with / MIB:.1f} MiB ({(rss_with - rss_before) / args.idle / 1024:.2f} KiB each)",
            file=sys.stderr,
        )

        for r in range(args.rounds):
            if idle is None:
                idle = open_idle(port, args.idle)
            beside = wrk_with_cpu(server.pid, url, args.seconds, script)
            close_all(idle)
            idle = None
            wait_connections_closed(server.pid, 100)
            alone = wrk_with_cpu(server.pid, url, args.seconds, script)
            results["rounds"].append({"with_idle": beside, "without_idle": alone})
            print(
                f"round {r + 1}: with {args.idle} idle {beside['rps']:.0f} req/s p99 {beside['p99_ms']:.2f} ms "
                f"{beside['cpu_us_per_request']:.1f} µs CPU/req | without {alone['rps']:.0f} req/s "
                f"p99 {alone['p99_ms']:.2f} ms {alone['cpu_us_per_request']:.1f} µs CPU/req",
                file=sys.stderr,
            )
        results["rss_after_close_mib"] = rss_kib(server.pid) / 1024
    finally:
        if server:
            stop(server)
        shutil.rmtree(work, ignore_errors=True)

    with_rps = statistics.median(r["with_idle"]["rps"] for r in results["rounds"])
    without_rps = statistics.median(r["without_idle"]["rps"] for r in results["rounds"])
    errors = sum(r["with_idle"]["non_2xx"] + r["without_idle"]["non_2xx"] for r in results["rounds"])
    with_cpu = statistics.median(r["with_idle"]["cpu_us_per_request"] for r in results["rounds"])
    without_cpu = statistics.median(r["without_idle"]["cpu_us_per_request"] for r in results["rounds"])
    results["summary"] = {"with_idle_rps": with_rps, "without_idle_rps": without_rps, "ratio": with_rps / without_rps,
                          "with_idle_cpu_us_per_request": with_cpu, "without_idle_cpu_us_per_request": without_cpu,
                          "non_2xx": errors}
    checks = [
        (f"{args.idle} idle connections within 100 MiB", results["idle_rss_mib"] <= 100,
         f"{results['idle_rss_mib']:.1f} MiB"),
        ("throughput beside them ≥ 90 %", with_rps / without_rps >= 0.90, f"{with_rps / without_rps:.1%}"),
    ]
    results["targets"] = {name: {"met": met, "value": value} for name, met, value in checks}
    print(f"\nRSS: {results['rss_before_mib']:.1f} MiB → {results['rss_with_idle_mib']:.1f} MiB with {args.idle} idle "
          f"connections ({results['bytes_per_idle_connection'] / 1024:.2f} KiB each); "
          f"{results['rss_after_close_mib']:.1f} MiB after they closed")
    print(f"POST /predict, 64 connections: {with_rps:.0f} req/s beside them, {without_rps:.0f} req/s without "
          f"→ {with_rps / without_rps:.1%}; non-2xx {errors}")
    print(f"server CPU per request: {with_cpu:.1f} µs beside them, {without_cpu:.1f} µs without "
          f"(requests/s on a shared machine follow the neighbours' load; CPU per request much less)")
    for name, met, value in checks:
        print(f"  [{'met' if met else 'MISSED'}] {name}: {value}")
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
