#!/usr/bin/env python3
"""Cost of observability and speed of the guard, measured on a release build in one run.

1. Throughput of `POST /predict` (wrk, keep-alive) on a server with metrics on against the same
   binary with `--no-metrics`, the two alternated for several rounds; the overhead is
   1 - on/off over the per-round medians.
2. Guard reaction: a green slot that fails on the requests sent (the guard's test model), guard
   window 10 s; the time from the first failing canary response to `/status` showing green at 0 %.

Writes JSON to bench/results/observability.json (or --out). See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "observability"))

from failing_model import write_failing_model  # noqa: E402
from observability_server import config_text, free_port, save, wait_until  # noqa: E402
import http.client  # noqa: E402

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"features": [5.1, 3.5, 1.4, 0.2]}'
wrk.headers["Content-Type"] = "application/json"
"""


def build(scratch: str | None) -> pathlib.Path:
    command = ["swift", "build", "-c", "release", "--product", "hotswap"]
    if scratch:
        command += ["--scratch-path", scratch]
    subprocess.run(command, cwd=REPO, check=True)
    out = subprocess.run(command + ["--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip())


class Process:
    def __init__(self, bin_dir: pathlib.Path, config: pathlib.Path, state: pathlib.Path, args=()):
        self.port = free_port()
        env = dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(state))
        self.log = open(state.parent / f"server-{self.port}.log", "wb")
        self.popen = subprocess.Popen(
            [str(bin_dir / "hotswap"), "serve", "--config", str(config), "--listen", f"127.0.0.1:{self.port}",
             "--log-level", "warning", *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_until(lambda: self.get("/health")[0] == 200, 60, "server ready")

    def get(self, path: str):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=30)
        self.log.close()


def wrk(port: int, seconds: int, threads: int, connections: int, script: pathlib.Path) -> float:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}/predict"],
        check=True, capture_output=True, text=True)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    if not match or "Non-2xx" in out.stdout:
        raise RuntimeError(f"wrk failed:\n{out.stdout}")
    return float(match.group(1))


def throughput(bin_dir, work: pathlib.Path, args) -> dict:
    config = work / "throughput.toml"
    config.write_text(config_text(REPO, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 90\ngreen = 10",
                                  '[guard]\nmax_error_rate = 0.05\nmax_p99_ms = 50\n'))
    script = work / "predict.lua"
    script.write_text(WRK_SCRIPT)
    on = Process(bin_dir, config, work / "state-on")
    off = Process(bin_dir, config, work / "state-off", ("--no-metrics",))
    rounds = {"metrics_on": [], "metrics_off": []}
    try:
        wrk(on.port, 2, args.threads, args.connections, script)  # warm-up
        wrk(off.port, 2, args.threads, args.connections, script)
        for index in range(args.rounds):
            order = [("metrics_on", on), ("metrics_off", off)]
            if index % 2:
                order.reverse()
            for name, server in order:
                rounds[name].append(wrk(server.port, args.seconds, args.threads, args.connections, script))
    finally:
        on.stop()
        off.stop()
    on_median = statistics.median(rounds["metrics_on"])
    off_median = statistics.median(rounds["metrics_off"])
    return {
        "requests_per_second": rounds,
        "median_metrics_on": on_median,
        "median_metrics_off": off_median,
        "overhead_percent": round((1 - on_median / off_median) * 100, 2),
        "target_percent": 10,
        "wrk": {"threads": args.threads, "connections": args.connections, "seconds": args.seconds},
    }


def guard_reaction(bin_dir, work: pathlib.Path, trials: int) -> dict:
    model = work / "failing" / "v9.9.9" / "model.onnx"
    write_failing_model(model)
    config = work / "guard.toml"
    guard = '[guard]\nmax_error_rate = 0.1\nmin_requests = 20\nwindow = "10s"\n'
    config.write_text(config_text(REPO, "iris/v1.0.0/model.onnx", str(model), "blue = 90\ngreen = 10", guard))
    server = Process(bin_dir, config, work / "state-guard")
    body = json.dumps({"features": [12.0, 3.5, 1.4, 0.2]})
    results = []
    try:
        for trial in range(trials):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            first_failure = None
            sent = 0
            while True:
                conn.request("POST", "/predict", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                sent += 1
                now = time.monotonic()
                if response.status == 500 and first_failure is None:
                    first_failure = now
                if first_failure is not None and response.getheader("X-Hotswap-Slot") == "blue":
                    status = json.loads(server.get("/status")[1])
                    if next(s for s in status["slots"] if s["name"] == "green")["share"] == 0:
                        results.append({"seconds": time.monotonic() - first_failure, "requests_sent": sent})
                        break
                if now - (first_failure or now) > 30:
                    raise RuntimeError("the guard did not trip within 30 s")
            conn.close()
            # Saving the file clears the trip for the next trial.
            save(config, config.read_text() + f"# trial {trial}\n")
            wait_until(lambda: json.loads(server.get("/status")[1])["guard"]["trips"] == [], 10, "trip cleared")
    finally:
        server.stop()
    seconds = [r["seconds"] for r in results]
    return {
        "window_seconds": 10,
        "min_requests": 20,
        "canary_share": 0.1,
        "evaluation_interval_ms": 250,
        "trials": results,
        "median_seconds": statistics.median(seconds),
        "max_seconds": max(seconds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", help="folder with a release `hotswap` (default: build it)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk seconds per round and server")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--guard-trials", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "observability.json"))
    args = parser.parse_args()
    bin_dir = pathlib.Path(args.bin_dir) if args.bin_dir else build(os.environ.get("HOTSWAP_SCRATCH"))
    with tempfile.TemporaryDirectory(prefix="hotswap-bench-obs-") as work_dir:
        work = pathlib.Path(work_dir)
        result = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "throughput": throughput(bin_dir, work, args),
            "guard_reaction": guard_reaction(bin_dir, work, args.guard_trials),
        }
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
