"""Helpers for the file and model attack suites (test_config_*.py, test_model_*.py): saving the
config the ways users and attackers do, waiting for the server's verdict on it, and building ONNX
files that declare absurd sizes."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pathlib
import time

from adversary import AdversaryServer, iris_config
from process_support import wait_until

MIB = 1 << 20
# RSS may move this much around an attack (allocator noise, a page cache of the new config).
RSS_SLACK = 16 * MIB


def status(server: AdversaryServer) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", "/status")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def save(path: pathlib.Path, content: str | bytes) -> None:
    """Writes `content` to a temporary file beside `path` and renames it over `path` (how editors
    and the CLI save): the watcher sees one IN_MOVED_TO."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(content.encode() if isinstance(content, str) else content)
    os.replace(temporary, path)


def replace_with(path: pathlib.Path, make) -> None:
    """Replaces `path` by whatever `make(temporary)` creates (a FIFO, a symlink, a directory),
    renamed into place so the watcher reports it."""
    temporary = path.with_name(f".{path.name}.new-{os.getpid()}")
    make(temporary)
    os.replace(temporary, path)


def verdict(server: AdversaryServer, change, timeout: float = 30.0, wanted: str = "any") -> tuple[dict, float]:
    """Runs `change()` and waits for the server to apply or reject what it did (`wanted`:
    "applied", "rejected" or "any"); returns the /status after it and the seconds from the change
    to the verdict."""
    before = status(server)["reloads"]
    started = time.monotonic()
    change()

    def decided():
        after = status(server)
        reloads = after["reloads"]
        applied = reloads["applied"] > before["applied"]
        rejected = reloads["rejected"] > before["rejected"]
        if {"applied": applied, "rejected": rejected, "any": applied or rejected}[wanted]:
            return after
        return None

    after = wait_until(decided, timeout, "the server's verdict on the change", interval=0.005)
    return after, time.monotonic() - started


def assert_last_good_plan(server: AdversaryServer, good: dict) -> None:
    """The generation and shares of `good` (a /status) still serve, and the server answers."""
    now = status(server)
    assert now["generation"] == good["generation"], now
    assert [s["share"] for s in now["slots"]] == [s["share"] for s in good["slots"]]
    server.assert_serving()


def assert_rss_returns(server: AdversaryServer, baseline: int, timeout: float = 10.0) -> int:
    """Waits (with a deadline) until RSS is back within RSS_SLACK of `baseline`; returns it."""
    seen = []

    def back():
        seen.append(server.rss())
        return seen[-1] - baseline <= RSS_SLACK

    try:
        wait_until(back, timeout, "RSS back near its start")
    except AssertionError:
        raise AssertionError(f"RSS stayed {(seen[-1] - baseline) / MIB:.1f} MiB above its start ({baseline / MIB:.1f} MiB)")
    return seen[-1]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def config_with_green(repo: pathlib.Path, green_model: str | pathlib.Path, blue: int = 100, green: int = 0) -> str:
    """The iris config with green's model replaced (blue stays v1.0.0)."""
    models = repo / "models" / "iris"
    return (
        '[server]\nmodel_name = "iris"\n\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n'
        f'[slots.green]\nmodel = "{green_model}"\n\n'
        f"[traffic]\nblue = {blue}\ngreen = {green}\n"
    )


def onnx_identity(path: pathlib.Path, shape: list, elem_type: str = "float") -> pathlib.Path:
    """A one-node ONNX model (Identity) whose input and output declare `shape` (None = dynamic)."""
    from onnx import TensorProto, helper, save_model

    types = {"float": TensorProto.FLOAT, "string": TensorProto.STRING, "double": TensorProto.DOUBLE}
    dims = [d if d is not None else "N" for d in shape]
    graph = helper.make_graph(
        [helper.make_node("Identity", ["X"], ["Y"])],
        "huge",
        [helper.make_tensor_value_info("X", types[elem_type], dims)],
        [helper.make_tensor_value_info("Y", types[elem_type], dims)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    save_model(model, str(path))
    path.chmod(0o644)
    return path


__all__ = [
    "MIB", "RSS_SLACK", "status", "save", "replace_with", "verdict", "assert_last_good_plan", "assert_rss_returns",
    "sha256", "config_with_green", "onnx_identity", "iris_config",
]
