"""Helpers of the shadow suites: a known input set (scikit-learn's iris data and a grid over the
feature ranges), what onnxruntime says each iris model answers for it, and waiting on the
shadow's counts in /status."""

from __future__ import annotations

import itertools
import json
import pathlib

import numpy as np
import onnxruntime
from sklearn.datasets import load_iris

from observability_server import wait_until

GRID = [
    list(row)
    for row in itertools.product([4.5, 5.5, 6.5, 7.5], [2.5, 3.0, 3.5], [1.5, 3.0, 4.5, 5.0, 5.5, 6.0], [0.2, 1.0, 1.5, 1.8, 2.2])
]


def known_inputs() -> list[list[float]]:
    """The 150 iris rows (as float32 values, written exactly) and the 360-row grid."""
    iris = [[float(np.float32(v)) for v in row] for row in load_iris().data]
    return iris + [[float(v) for v in row] for row in GRID]


def labels(repo: pathlib.Path, version: str, rows: list[list[float]]) -> list[int]:
    """onnxruntime's labels for `rows` from models/iris/<version>."""
    session = onnxruntime.InferenceSession(str(repo / "models" / "iris" / version / "model.onnx"))
    name = session.get_inputs()[0].name
    return [int(v) for v in session.run(None, {name: np.array(rows, dtype=np.float32)})[0]]


def disagreeing(repo: pathlib.Path, rows: list[list[float]]) -> list[list[float]]:
    """The rows on which iris v1.0.0 and v1.1.0 disagree, by onnxruntime."""
    live, shadow = labels(repo, "v1.0.0", rows), labels(repo, "v1.1.0", rows)
    return [row for row, a, b in zip(rows, live, shadow) if a != b]


def shadow_totals(server) -> dict:
    return server.status()["shadow"]["total"]


def wait_for_copies(server, count: int, timeout: float = 30.0) -> dict:
    """Waits until the shadow has accounted for `count` copies (compared, failed or dropped)."""

    def settled():
        total = shadow_totals(server)
        return total if total["mirrored"] + total["dropped"] >= count else None

    return wait_until(settled, timeout, f"the shadow to account for {count} copies")


def shadow_config(repo: pathlib.Path, traffic: str = "blue = 100\ngreen = 0", shadow: str = 'slot = "green"', extra: str = "") -> str:
    models = repo / "models" / "iris"
    return (
        f'[server]\nmodel_name = "iris"\n\n[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n'
        f'[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"\n\n[traffic]\n{traffic}\n\n[shadow]\n{shadow}\n\n{extra}\n'
    )


def metric(server, line_prefix: str) -> float | None:
    """The value of the first /metrics line starting with `line_prefix`."""
    _, _, body = server.request("GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(line_prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
