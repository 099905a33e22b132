#!/usr/bin/env python3
"""What shadowing costs the live traffic, measured on a release build in one run.

Three servers from the same binary serve iris v1.0.0 on blue (all traffic) with a standby green:
  plain   no [shadow]                                   (the reference)
  shadow  [shadow] slot = "green", sample = 100; green = iris v1.1.0
  slow    [shadow] slot = "green", sample = 100; green = a tree ensemble far slower than iris
wrk posts `/predict` on keep-alive connections to each in turn, the order rotating every round,
and reads throughput and p99 (wrk --latency). The cost is 1 - median(shadowed) / median(plain);
targets: <= 10 % throughput for the iris shadow, and p99 within the plain server's own
round-to-round spread. For the slow shadow, /status says how much slower its model is than the
live answer and how many copies it dropped (counted, never waited for).

Per round the script also reads the server's threads' CPU time (/proc/PID/task/*/schedstat): the
event loops' CPU microseconds per request (`loop_cpu_cost_percent` compares them with the plain
server's: what a copy costs the request path, and less sensitive than throughput to other work on
the machine) and the share of one core the shadow worker used (`shadow_cpu_share`, capped at 0.03).

Writes JSON to bench/results/shadow.json (or --out). See README.md.
"""

from __future__ import annotations

import argparse
import http.client
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

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "observability"))

from observability_server import free_port, wait_until  # noqa: E402
from shadow_models import write_slow_model  # noqa: E402

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"features": [5.9, 3.0, 4.2, 1.5]}'
wrk.headers["Content-Type"] = "application/json"
"""
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def build() -> pathlib.Path:
    # The same static build scripts/test.sh makes, so the two share one build.
    command = ["swift", "build", "-c", "release", "--product", "hotswap", "--static-swift-stdlib"]
    subprocess.run(command, cwd=REPO, check=True)
    out = subprocess.run(command + ["--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip())


def config(green: pathlib.Path, shadow: str) -> str:
    models = REPO / "models" / "iris"
    return (
        f'[server]\nmodel_name = "iris"\n\n[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n'
        f'[slots.green]\nmodel = "{green}"\n\n[traffic]\nblue = 100\ngreen = 0\n\n{shadow}\n'
    )


class Server:
    """One release `hotswap serve` on a free loopback port; `stop()` ends it by PID."""

    def __init__(self, bin_dir: pathlib.Path, work: pathlib.Path, name: str, text: str):
        self.name = name
        folder = work / name
        folder.mkdir()
        (folder / "active.toml").write_text(text)
        self.port = free_port()
        self.log = open(folder / "serve.log", "wb")
        env = dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(folder / "state"))
        self.popen = subprocess.Popen(
            [str(bin_dir / "hotswap"), "serve", "--config", str(folder / "active.toml"),
             "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_until(lambda: self.get("/health")[0] == 200, 60, f"{name} ready")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def status(self) -> dict:
        return json.loads(self.get("/status")[1])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=30)
        self.log.close()


def wrk(port: int, args, script: pathlib.Path) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}/predict"],
        check=True, capture_output=True, text=True, timeout=args.seconds + 60)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out.stdout, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out.stdout, re.M)
    if not rate or not p99 or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError(f"wrk failed:\n{out.stdout}")
    return {
        "requests_per_second": float(rate.group(1)),
        "p50_ms": float(p50.group(1)) * UNITS[p50.group(2)] * 1000,
        "p99_ms": float(p99.group(1)) * UNITS[p99.group(2)] * 1000,
    }


def thread_cpu(pid: int) -> dict[str, int]:
    """Nanoseconds on a CPU so far, per kind of thread (`loops`: the event loops; `shadow`: the
    shadow worker), from /proc/PID/task/*/schedstat."""
    totals = {"loops": 0, "shadow": 0}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            name = pathlib.Path(f"/proc/{pid}/task/{task}/comm").read_text().strip()
            nanoseconds = int(pathlib.Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended
        if name.startswith("NIO-"):
            totals["loops"] += nanoseconds
        elif name.startswith("hotswap-shadow"):
            totals["shadow"] += nanoseconds
    return totals


def measured_round(server: "Server", args, script: pathlib.Path) -> dict:
    """One wrk round, with the CPU time the server's event loops spent per request and the share
    of one core the shadow worker used meanwhile."""
    before = thread_cpu(server.popen.pid)
    result = wrk(server.port, args, script)
    after = thread_cpu(server.popen.pid)
    requests = result["requests_per_second"] * args.seconds
    result["loop_cpu_us_per_request"] = round((after["loops"] - before["loops"]) / 1000 / max(1.0, requests), 3)
    result["shadow_cpu_share"] = round((after["shadow"] - before["shadow"]) / (args.seconds * 1e9), 4)
    return result


def summary(rounds: list[dict]) -> dict:
    rates = [r["requests_per_second"] for r in rounds]
    p99s = [r["p99_ms"] for r in rounds]
    return {
        "rounds": rounds,
        "median_requests_per_second": statistics.median(rates),
        "median_p99_ms": statistics.median(p99s),
        "p99_ms_range": [min(p99s), max(p99s)],
        "median_loop_cpu_us_per_request": statistics.median(r["loop_cpu_us_per_request"] for r in rounds),
        "median_shadow_cpu_share": statistics.median(r["shadow_cpu_share"] for r in rounds),
    }


def shadow_numbers(server: Server) -> dict:
    shadow = server.status()["shadow"]
    total = shadow["total"]
    live, mirrored = total.get("live_latency_ms") or {}, total.get("shadow_latency_ms") or {}
    return {
        "compared": total["compared"],
        "errors": total["errors"],
        "dropped": total["dropped"],
        "agreement": total["agreement"],
        "queue_capacity": shadow["queue"]["capacity"],
        "shadow_latency_ms": mirrored,
        "live_latency_ms": live,
        "shadow_over_live_p50": (mirrored["p50"] / live["p50"]) if mirrored.get("p50") and live.get("p50") else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", help="folder with a release `hotswap` (default: build it)")
    parser.add_argument("--seconds", type=int, default=8, help="wrk seconds per round and server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--slow-trees", type=int, default=250, help="trees of the slow shadow ensemble (250: ~100x iris)")
    parser.add_argument("--slow-depth", type=int, default=60, help="comparisons per tree")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "shadow.json"))
    parser.add_argument("--baseline-bin-dir",
                        help="folder with another release `hotswap` (an earlier build): its plain, shadow and slow "
                             "servers run alternated with these, reported as baseline_* against their own plain")
    args = parser.parse_args()
    bin_dir = pathlib.Path(args.bin_dir) if args.bin_dir else build()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hotswap-bench-shadow-") as work_dir:
        work = pathlib.Path(work_dir)
        script = work / "predict.lua"
        script.write_text(WRK_SCRIPT)
        slow_model = work / "slow-model" / "model.onnx"
        write_slow_model(slow_model, args.slow_trees, args.slow_depth)
        iris_green = REPO / "models" / "iris" / "v1.1.0" / "model.onnx"
        shadow = '[shadow]\nslot = "green"\nsample = 100\n'
        servers: list[Server] = []
        builds = [("", bin_dir)]
        if args.baseline_bin_dir:
            builds.append(("baseline_", pathlib.Path(args.baseline_bin_dir)))
        rounds: dict[str, list[dict]] = {}
        try:
            for prefix, directory in builds:
                for name, green, text in (("plain", iris_green, ""), ("shadow", iris_green, shadow),
                                          ("slow", slow_model, shadow)):
                    servers.append(Server(directory, work, prefix + name, config(green, text)))
                    rounds[prefix + name] = []
            for server in servers:  # warm-up
                wrk(server.port, argparse.Namespace(**{**vars(args), "seconds": 2}), script)
            for index in range(args.rounds):
                shift = index % len(servers)
                for server in servers[shift:] + servers[:shift]:
                    rounds[server.name].append(measured_round(server, args, script))
                    print(server.name, rounds[server.name][-1], flush=True)
            shadowed = {server.name: shadow_numbers(server) for server in servers if not server.name.endswith("plain")}
        finally:
            for server in servers:
                server.stop()
    results = {name: summary(values) for name, values in rounds.items()}
    for name in shadowed:
        plain = results[name.removesuffix("shadow").removesuffix("slow") + "plain"]
        results[name]["throughput_cost_percent"] = round(
            (1 - results[name]["median_requests_per_second"] / plain["median_requests_per_second"]) * 100, 2)
        results[name]["p99_ratio"] = round(results[name]["median_p99_ms"] / plain["median_p99_ms"], 3)
        results[name]["loop_cpu_cost_percent"] = round(
            (results[name]["median_loop_cpu_us_per_request"] / plain["median_loop_cpu_us_per_request"] - 1) * 100, 2)
        results[name]["shadow"] = shadowed[name]
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_before": load_before,
                    "load_after": os.getloadavg()},
        "baseline_bin_dir": args.baseline_bin_dir,
        "wrk": {"threads": args.threads, "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds},
        "slow_model": {"trees": args.slow_trees, "depth": args.slow_depth},
        "targets": {"shadow_throughput_cost_percent": 10, "p99": "within the plain server's round-to-round range"},
        "results": results,
    }
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "rounds"} for k, v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
