#!/usr/bin/env python3
"""Core server benchmark (release build, loopback, references measured in the same run).

1. wrk against hotswap `POST /predict` (iris) and against Debian's nginx answering `return 200`,
   alternated, at 64 connections: requests/s, p50, p99 and hotswap's ratio to nginx.
2. Time from a save of conf/active.toml to the first response from the new slot, over 100 swaps
   in each way of saving (rename, in place, delete + create, Kubernetes ConfigMap `..data` swap),
   saves spaced by --swap-interval (0: back to back): p50 and p99 per way, counted from the moment
   the new content is in place (the rename, or the writer's close, returned); the time from the
   save's start and the writer's own time (ext4 flushes a replacing file's data: milliseconds on a
   busy disk) are reported beside it. With --baseline-bin-dir both builds are measured, alternated.
3. Resident memory with both iris models loaded, and time from start to the first served request.

Usage: .venv/bin/python bench/server/bench_server.py [--bin-dir DIR] [--seconds 10] [--rounds 3]
       [--baseline-bin-dir DIR]
       [--swap-interval 0.2] [--swap-patterns rename,in-place,delete-create,configmap] [--only-swaps]
With --baseline-bin-dir, a second hotswap build (say, main's) is measured in the same rounds, on
its own port, alternated with the first: throughput before and after a change, in one run.
Results are printed and written to bench/results/server.json.
"""

import argparse
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from swap_latency import PATTERNS, ConfigWriter, SwapTimes, swap_latency

REPO = pathlib.Path(__file__).resolve().parents[2]

PREDICT_LUA = """
wrk.method = "POST"
wrk.body = '{"features":[5.1,3.5,1.4,0.2]}'
wrk.headers["Content-Type"] = "application/json"
"""

NGINX_CONF = """
worker_processes auto;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{ return 200 '{{"status":"ok"}}'; }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(bin_dir: str | None) -> pathlib.Path:
    if bin_dir:
        return pathlib.Path(bin_dir)
    print("building hotswap (release)…", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "hotswap"], cwd=REPO, check=True)
    out = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
    )
    return pathlib.Path(out.stdout.strip())


def write_config(path: pathlib.Path, port: int, blue: int, green: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(config_text(port, blue, green))
    os.replace(tmp, path)


def config_text(port: int, blue: int, green: int) -> str:
    return f"""[server]
listen = "127.0.0.1:{port}"
model_name = "iris"
max_connections = 4096

[slots.blue]
model = "{REPO}/models/iris/v1.0.0/model.onnx"
[slots.green]
model = "{REPO}/models/iris/v1.1.0/model.onnx"

[traffic]
blue = {blue}
green = {green}
"""


def wait_http(port: int, path: str, deadline: float) -> float:
    """Polls until `path` answers 200; returns the time it did."""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.0005)
    raise RuntimeError(f"nothing answered on port {port}")


def start_hotswap(binary: pathlib.Path, config: pathlib.Path, state: pathlib.Path) -> tuple[subprocess.Popen, float]:
    env = dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(state))
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(binary), "serve", "--config", str(config), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, started


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "rps": rps,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk(url: str, seconds: int, script: pathlib.Path | None) -> dict:
    cmd = ["wrk", "-t", "2", "-c", "64", "-d", f"{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_with_cpu(pid: int, url: str, seconds: int, script: pathlib.Path | None) -> dict:
    """wrk, plus the server's CPU time per answered request: on a shared machine requests/s
    follow the neighbours' load, CPU per request much less so."""
    before = cpu_seconds(pid)
    result = wrk(url, seconds, script)
    result["cpu_us_per_request"] = (cpu_seconds(pid) - before) / max(result["requests"], 1) * 1e6
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def swap_summary(times: SwapTimes) -> dict:
    """p50, p99 and max from the moment the new content was in place (the target's measure), and
    p50/p99 from the save's start and of the writer's own time."""
    return {
        "p50": percentile(times.from_content, 0.5),
        "p99": percentile(times.from_content, 0.99),
        "max": max(times.from_content),
        "from_start_p50": percentile(times.from_start, 0.5),
        "from_start_p99": percentile(times.from_start, 0.99),
        "writer_p50": percentile(times.writer, 0.5),
        "writer_p99": percentile(times.writer, 0.99),
    }


def rss_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def write_results(path: str, results: dict) -> None:
    """Writes the run's results as JSON to `path` (the --out of every server benchmark)."""
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--swaps", type=int, default=100)
    parser.add_argument(
        "--swap-interval", type=float, default=0.2,
        help="seconds between one save's effect and the next save (0: back to back)",
    )
    parser.add_argument("--baseline-bin-dir", help="a second hotswap build measured in the same rounds")
    parser.add_argument(
        "--swap-patterns", default=",".join(PATTERNS), help=f"ways of saving to measure, of {','.join(PATTERNS)}"
    )
    parser.add_argument("--only-swaps", action="store_true", help="measure swap latency only (no wrk, no nginx)")
    parser.add_argument("--out", default=str(REPO / "bench/results/server.json"))
    args = parser.parse_args()
    patterns = [p for p in args.swap_patterns.split(",") if p]
    if unknown := [p for p in patterns if p not in PATTERNS]:
        print(f"unknown --swap-patterns {unknown}; choose from {','.join(PATTERNS)}", file=sys.stderr)
        return 1
    for tool in ("wrk", "nginx") if not args.only_swaps else ():
        if not shutil.which(tool) and not pathlib.Path(f"/usr/sbin/{tool}").exists():
            print(f"{tool} is missing: scripts/deps.sh installs it", file=sys.stderr)
            return 1
    binary = build(args.bin_dir) / "hotswap"
    work = pathlib.Path(tempfile.mkdtemp(prefix="hotswap-bench-"))
    results: dict = {"rounds": []}
    nginx_proc = hotswap = baseline = None
    try:
        (work / "conf").mkdir()
        config = work / "conf/active.toml"
        port = free_port()
        write_config(config, port, 100, 0)

        # Startup: spawn to first served request, 10 times.
        startups = []
        for _ in range(10 if not args.only_swaps else 0):
            proc, started = start_hotswap(binary, config, work / "state")
            answered = wait_http(port, "/health", time.monotonic() + 30)
            startups.append((answered - started) * 1000)
            stop(proc)
        if startups:
            results["startup_ms"] = {"p50": statistics.median(startups), "max": max(startups)}

        hotswap, _ = start_hotswap(binary, config, work / "state")
        wait_http(port, "/health", time.monotonic() + 30)
        results["rss_mib_idle"] = rss_kib(hotswap.pid) / 1024

        if args.only_swaps:
            args.rounds = 0
        nginx_port = free_port()
        prefix = work / "nginx"
        prefix.mkdir()
        (prefix / "nginx.conf").write_text(NGINX_CONF.format(prefix=prefix, port=nginx_port))
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        if args.rounds:
            nginx_proc = subprocess.Popen(
                [nginx_bin, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_http(nginx_port, "/", time.monotonic() + 10)

        if args.baseline_bin_dir:
            (work / "baseline/conf").mkdir(parents=True)
            baseline_config = work / "baseline/conf/active.toml"
            baseline_port = free_port()
            write_config(baseline_config, baseline_port, 100, 0)
            baseline, _ = start_hotswap(
                pathlib.Path(args.baseline_bin_dir) / "hotswap", baseline_config, work / "baseline/state"
            )
            wait_http(baseline_port, "/health", time.monotonic() + 30)

        script = work / "predict.lua"
        script.write_text(PREDICT_LUA)
        for r in range(args.rounds):
            ours = wrk_with_cpu(hotswap.pid, f"http://127.0.0.1:{port}/predict", args.seconds, script)
            round_result = {"hotswap_predict": ours}
            before = ""
            if baseline:
                old = wrk_with_cpu(baseline.pid, f"http://127.0.0.1:{baseline_port}/predict", args.seconds, script)
                round_result["baseline_predict"] = old
                before = (
                    f" | baseline {old['rps']:.0f} req/s p99 {old['p99_ms']:.2f} ms "
                    f"{old['cpu_us_per_request']:.1f} µs CPU/req"
                )
            theirs = wrk(f"http://127.0.0.1:{nginx_port}/", args.seconds, None)
            round_result["nginx_return_200"] = theirs
            results["rounds"].append(round_result)
            print(
                f"round {r + 1}: hotswap /predict {ours['rps']:.0f} req/s p50 {ours['p50_ms']:.2f} ms "
                f"p99 {ours['p99_ms']:.2f} ms {ours['cpu_us_per_request']:.1f} µs CPU/req{before} | "
                f"nginx return 200 {theirs['rps']:.0f} req/s "
                f"p99 {theirs['p99_ms']:.2f} ms",
                file=sys.stderr,
            )
        results["rss_mib_after_load"] = rss_kib(hotswap.pid) / 1024

        results["swap_interval_s"] = args.swap_interval
        results["swap_ms"] = {}
        results["baseline_swap_ms"] = {}
        servers = [("this build", port, config, results["swap_ms"])]
        if baseline:
            servers.append(("baseline", baseline_port, baseline_config, results["baseline_swap_ms"]))
        for pattern in patterns:
            # Both builds in the same run, alternated in chunks, so the machine's load falls on both.
            measured = {name: (ConfigWriter(path, pattern), SwapTimes()) for name, _, path, _ in servers}
            chunks = 4 if baseline else 1
            for chunk in range(chunks):
                for name, server_port, _, _ in servers:
                    writer, times = measured[name]
                    count = args.swaps // chunks + (1 if chunk < args.swaps % chunks else 0)
                    render = lambda blue, green, p=server_port: config_text(p, blue, green)  # noqa: E731
                    swap_latency(server_port, writer, render, count, args.swap_interval, times)
            for name, _, _, into in servers:
                times = measured[name][1]
                into[pattern] = swap_summary(times)
                print(
                    f"swap ({pattern}, {name}, saves {args.swap_interval:g} s apart): from the content in place "
                    f"p50 {into[pattern]['p50']:.2f} ms p99 {into[pattern]['p99']:.2f} ms; from the save's start "
                    f"p50 {into[pattern]['from_start_p50']:.2f} p99 {into[pattern]['from_start_p99']:.2f}; "
                    f"the writer's own time p50 {into[pattern]['writer_p50']:.2f} p99 {into[pattern]['writer_p99']:.2f}",
                    file=sys.stderr,
                )
    finally:
        if hotswap:
            stop(hotswap)
        if baseline:
            stop(baseline)
        if nginx_proc:
            stop(nginx_proc)
        shutil.rmtree(work, ignore_errors=True)

    swap_checks = [
        (
            f"swap p99 ≤ 5 ms ({pattern}, from the content in place)",
            timing["p99"] <= 5,
            f"{timing['p99']:.2f} ms"
            + (f" (baseline {results['baseline_swap_ms'][pattern]['p99']:.2f} ms)" if results["baseline_swap_ms"] else ""),
        )
        for pattern, timing in results["swap_ms"].items()
    ]
    if args.only_swaps:
        results["targets"] = {name: {"met": met, "value": value} for name, met, value in swap_checks}
        for name, met, value in swap_checks:
            print(f"  [{'met' if met else 'MISSED'}] {name}: {value}")
        write_results(args.out, results)
        return 0
    ours_rps = statistics.median(r["hotswap_predict"]["rps"] for r in results["rounds"])
    nginx_rps = statistics.median(r["nginx_return_200"]["rps"] for r in results["rounds"])
    p50 = statistics.median(r["hotswap_predict"]["p50_ms"] for r in results["rounds"])
    p99 = statistics.median(r["hotswap_predict"]["p99_ms"] for r in results["rounds"])
    failures = sum(r["hotswap_predict"]["non_2xx"] for r in results["rounds"])
    results["summary"] = {
        "hotswap_rps": ours_rps,
        "nginx_rps": nginx_rps,
        "ratio": ours_rps / nginx_rps,
        "hotswap_p50_ms": p50,
        "hotswap_p99_ms": p99,
        "hotswap_non_2xx": failures,
    }
    if args.baseline_bin_dir:
        baseline_rps = statistics.median(r["baseline_predict"]["rps"] for r in results["rounds"])
        results["summary"]["baseline_rps"] = baseline_rps
        results["summary"]["ratio_to_baseline"] = ours_rps / baseline_rps
        ours_cpu = statistics.median(r["hotswap_predict"]["cpu_us_per_request"] for r in results["rounds"])
        baseline_cpu = statistics.median(r["baseline_predict"]["cpu_us_per_request"] for r in results["rounds"])
        results["summary"]["cpu_us_per_request"] = ours_cpu
        results["summary"]["baseline_cpu_us_per_request"] = baseline_cpu
    checks = [
        ("throughput ≥ 40 % of nginx", ours_rps / nginx_rps >= 0.40, f"{ours_rps / nginx_rps:.0%}"),
        ("p99 < 10 ms", p99 < 10, f"{p99:.2f} ms"),
        *swap_checks,
        ("RSS < 40 MiB", results["rss_mib_after_load"] < 40, f"{results['rss_mib_after_load']:.1f} MiB"),
        ("startup < 200 ms", results["startup_ms"]["p50"] < 200, f"{results['startup_ms']['p50']:.0f} ms"),
    ]
    results["targets"] = {name: {"met": met, "value": value} for name, met, value in checks}
    print(f"\nhotswap POST /predict: {ours_rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, non-2xx {failures}")
    print(f"nginx return 200:      {nginx_rps:.0f} req/s  → ratio {ours_rps / nginx_rps:.0%}")
    if args.baseline_bin_dir:
        print(f"baseline /predict:     {baseline_rps:.0f} req/s  → this build {ours_rps / baseline_rps:.1%} of it")
        print(f"server CPU per request: {ours_cpu:.1f} µs, baseline {baseline_cpu:.1f} µs "
              f"→ {ours_cpu / baseline_cpu:.1%}")
    for pattern, timing in results["swap_ms"].items():
        print(f"swap latency ({pattern}: new content in place → first response from the new slot, {args.swaps} "
              f"swaps, {args.swap_interval:g} s apart): p50 {timing['p50']:.2f} ms, p99 {timing['p99']:.2f} ms "
              f"(from the save's start p99 {timing['from_start_p99']:.2f} ms)")
    print(f"RSS: {results['rss_mib_idle']:.1f} MiB idle, {results['rss_mib_after_load']:.1f} MiB after load; "
          f"startup to first response: p50 {results['startup_ms']['p50']:.0f} ms")
    for name, met, value in checks:
        print(f"  [{'met' if met else 'MISSED'}] {name}: {value}")
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
