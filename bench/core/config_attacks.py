#!/usr/bin/env python3
"""Pathological configs against one or more builds of `hotswap serve`, in one run (the hostile-file
issue's rows 12 and 13, and the parser's leak): for each case, the time from the save to the
server's verdict, the worst concurrent /health latency, and RSS before, at its peak (VmHWM) and
after. Then RSS across 40 reloads of a ~600 KB config (one that fits every limit).

Each server runs under RLIMIT_AS 4 GiB (as the adversarial suite runs it), loopback only; a case
that gets no verdict within --timeout seconds is reported as such and the server restarted.

Usage: .venv/bin/python bench/core/config_attacks.py --bin-dir DIR [--bin-dir DIR2 ...] [--timeout 120]
Results are printed and written to bench/results/config_attacks.json."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "adversarial")]

from adversary import AdversaryServer, HealthProbe, iris_config  # noqa: E402
from file_attacks import MIB, config_with_green, save, status, verdict  # noqa: E402

CASES = {
    "100 MB file": lambda: b"# " + b"x" * (100 * MIB) + b"\n",
    "200 000 keys": lambda: "".join(f"k{i} = 1\n" for i in range(200_000)).encode(),
    "dotted key 10 000 deep": lambda: ("x" + ".x" * 9_999 + " = 1\n").encode(),
    "table header 10 000 deep": lambda: ("[" + ".".join(["t"] * 10_000) + "]\n").encode(),
}


def peak_rss(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def attack(bin_dir: pathlib.Path, name: str, content: bytes, timeout: float) -> dict:
    server = AdversaryServer(bin_dir, iris_config(REPO))
    try:
        before = server.rss()
        temporary = server.config.with_name(".attack.tmp")
        temporary.write_bytes(content)
        result: dict = {"rss_before_mib": before / MIB}
        with HealthProbe(server.port, timeout=5.0) as probe:
            try:
                after, seconds = verdict(server, lambda: os.replace(temporary, server.config), timeout=timeout)
                result["seconds_to_verdict"] = seconds
                result["verdict"] = "rejected" if after["last_error"] else "applied"
                result["message"] = (after["last_error"] or {}).get("errors", [""])[0][-160:]
            except AssertionError:
                result["seconds_to_verdict"] = None
                result["verdict"] = f"none within {timeout:g} s"
        result["health_worst_s"] = probe.worst
        result["alive"] = server.popen.poll() is None
        if result["alive"]:
            result["rss_peak_mib"] = peak_rss(server.popen.pid) / MIB
            result["rss_after_mib"] = server.rss() / MIB
        return result
    finally:
        server.stop()


def reload_growth(bin_dir: pathlib.Path, rounds: int = 40) -> dict:
    """RSS before and after `rounds` reloads of a ~600 KB config (green's version is a 600 000-
    character string, within every limit), each followed by a small one."""
    server = AdversaryServer(bin_dir, iris_config(REPO))
    try:
        models = REPO / "models" / "iris"

        def text(version: str, green: int) -> str:
            return (
                f'[server]\nmodel_name = "iris"\n[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n'
                f'[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"\nversion = "{version}"\n'
                f"[traffic]\nblue = {100 - green}\ngreen = {green}\n"
            )

        before = server.rss()
        for index in range(rounds):
            verdict(server, lambda: save(server.config, text(f"{index}-" + "x" * 600_000, 10)), wanted="applied")
            verdict(server, lambda: save(server.config, text(f"small-{index}", 0)), wanted="applied")
        return {
            "rounds": rounds,
            "bytes": len(text("x" * 600_000, 10)),
            "rss_before_mib": before / MIB,
            "rss_after_mib": server.rss() / MIB,
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", action="append", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--out", default=str(REPO / "bench/results/config_attacks.json"))
    args = parser.parse_args()
    results = {}
    for directory in args.bin_dir:
        bin_dir = pathlib.Path(directory)
        label = str(bin_dir)
        results[label] = {}
        for name, make in CASES.items():
            outcome = attack(bin_dir, name, make(), args.timeout)
            results[label][name] = outcome
            seconds = outcome["seconds_to_verdict"]
            print(
                f"{label} | {name}: {outcome['verdict']}"
                + (f" in {seconds * 1000:.0f} ms" if seconds is not None else "")
                + f", /health worst {outcome['health_worst_s'] * 1000:.0f} ms, RSS {outcome['rss_before_mib']:.0f} MiB"
                + (f" → peak {outcome['rss_peak_mib']:.0f} → after {outcome['rss_after_mib']:.0f} MiB"
                   if outcome["alive"] else " → the server died"),
                flush=True,
            )
        growth = reload_growth(bin_dir)
        results[label]["reload growth"] = growth
        print(
            f"{label} | {growth['rounds']} reloads of a {growth['bytes'] // 1024} KiB config: RSS "
            f"{growth['rss_before_mib']:.0f} → {growth['rss_after_mib']:.0f} MiB",
            flush=True,
        )
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
