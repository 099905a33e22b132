"""Careless and hostile model files (the hostile-file issue's rows 3, 4 and 5, FIFO/device models):
two slots sharing one file serve; a model declaring absurd sizes, a symlink to a file over the
size limit, a FIFO, a device or a directory is rejected with a message saying what it is — the
last good plan keeps serving, /health stays fast and RSS returns near its start. The server runs
as the service user under RLIMIT_AS, so an allocation the checks miss fails the test instead of
swapping the machine."""

from __future__ import annotations

import http.client
import json
import os
import pathlib

import pytest
from adversary import GIB, HealthProbe
from file_attacks import (
    assert_last_good_plan,
    assert_rss_returns,
    config_with_green,
    onnx_identity,
    replace_with,
    save,
    status,
    verdict,
)


def predict(server, slot: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(
            "POST", "/predict", b'{"features":[5.1,3.5,1.4,0.2]}',
            {"Content-Type": "application/json", "X-Hotswap-Slot": slot},
        )
        response = conn.getresponse()
        body = json.loads(response.read())
        assert response.status == 200, body
        return body
    finally:
        conn.close()


def sparse(folder: pathlib.Path, name: str, size: int) -> pathlib.Path:
    path = folder / name
    with open(path, "wb") as file:
        file.truncate(size)
    path.chmod(0o644)
    return path


def symlink_to(folder: pathlib.Path, name: str, target) -> pathlib.Path:
    link = folder / name
    os.symlink(target, link)
    return link


def fifo(folder: pathlib.Path) -> pathlib.Path:
    path = folder / "model.fifo"
    os.mkfifo(path, 0o644)
    return path


# (name, make(folder) -> model path, expected reason)
CASES = [
    (
        "symlink to a 1.2 GB file (limit 1 GiB)",
        lambda folder: symlink_to(folder, "big.onnx", sparse(folder, "target.bin", 1_288_490_188)),
        "is 1288490188 bytes (1.2 GiB); the limit is 1073741824 bytes (1 GiB)",
    ),
    ("a FIFO", fifo, "is a FIFO (named pipe), not a regular file"),
    ("a symlink to /dev/zero", lambda folder: symlink_to(folder, "zero.onnx", "/dev/zero"),
     "is a character device, not a regular file"),
    ("a directory", lambda folder: (folder / "dir.onnx").mkdir() or folder / "dir.onnx",
     "is a directory, not a regular file"),
    (
        "input [N, 2147483647]",
        lambda folder: onnx_identity(folder / "wide.onnx", [None, 2_147_483_647]),
        "input 'X' declares shape [N, 2147483647] (FP32): 2147483647 elements per row; the limit is 1048576",
    ),
    (
        "input [2147483647]",
        lambda folder: onnx_identity(folder / "long.onnx", [2_147_483_647]),
        "input 'X' declares shape [2147483647] (FP32): 2147483647 elements per row; the limit is 1048576",
    ),
    (
        "input [2147483647]³",
        lambda folder: onnx_identity(folder / "cube.onnx", [2_147_483_647] * 3),
        "input 'X' declares shape [2147483647, 2147483647, 2147483647] (FP32), whose element count overflows",
    ),
    (
        "STRING input [N, 100000, 100000]",
        lambda folder: onnx_identity(folder / "strings.onnx", [None, 100_000, 100_000], "string"),
        "input 'X' declares shape [N, 100000, 100000] (BYTES): 10000000000 elements per row; the limit is 1048576",
    ),
]


@pytest.mark.parametrize("name,make,reason", CASES, ids=[case[0] for case in CASES])
def test_a_hostile_model_is_rejected_naming_what_it_is(launch, repo_root, name, make, reason):
    server = launch()
    good = status(server)
    baseline = server.rss()
    model = make(server.directory)
    with HealthProbe(server.port) as probe:
        after, seconds = verdict(server, lambda: save(server.config, config_with_green(repo_root, model, 50, 50)))
    print(f"{name}: rejected in {seconds * 1000:.1f} ms")
    errors = after["last_error"]["errors"]
    assert errors == [f"{server.config}:8: slot 'green': model {model}: {reason}"], errors
    assert_last_good_plan(server, good)
    probe.assert_responsive(bound=1.0)
    assert_rss_returns(server, baseline)


def test_a_2_gb_symlinked_model_under_a_3_gib_cap_is_refused_before_reading(launch, repo_root):
    """The size limit was checked after reading: 2 GB under a 3 GiB address-space cap crashed."""
    server = launch(address_space=3 * GIB)
    good = status(server)
    baseline = server.rss()
    model = symlink_to(server.directory, "huge.onnx", sparse(server.directory, "huge.bin", 2_000_000_000))
    after, _ = verdict(server, lambda: save(server.config, config_with_green(repo_root, model, 50, 50)))
    assert "is 2000000000 bytes (1.9 GiB); the limit is 1073741824 bytes (1 GiB)" in after["last_error"]["errors"][0]
    assert_last_good_plan(server, good)
    assert_rss_returns(server, baseline)


def test_a_served_model_replaced_by_a_fifo_keeps_serving_the_loaded_one(launch, repo_root):
    server = launch()
    green = server.directory / "green.onnx"
    green.write_bytes((repo_root / "models/iris/v1.1.0/model.onnx").read_bytes())
    green.chmod(0o644)
    applied, _ = verdict(server, lambda: save(server.config, config_with_green(repo_root, green, 50, 50)), wanted="applied")
    after, _ = verdict(server, lambda: replace_with(green, lambda path: os.mkfifo(path, 0o644)), wanted="rejected")
    assert after["last_error"]["errors"] == [
        f"{server.config}:8: slot 'green': model {green}: is a FIFO (named pipe), not a regular file"
    ]
    assert_last_good_plan(server, applied)
    assert predict(server, "green")["model_version"] == "v1.1.0"


def test_two_slots_naming_one_model_file_serve_at_start_and_after_a_save(launch, repo_root):
    blue_model = repo_root / "models/iris/v1.0.0/model.onnx"
    server = launch(config_with_green(repo_root, blue_model, 50, 50))
    first = status(server)
    assert [s["sha256"] for s in first["slots"]] == [first["slots"][0]["sha256"]] * 2
    assert predict(server, "green")["model_version"] == "v1.0.0"
    # Apart, then together again (green set to blue's model before a promotion).
    verdict(server, lambda: save(server.config, config_with_green(
        repo_root, repo_root / "models/iris/v1.1.0/model.onnx", 50, 50)), wanted="applied")
    assert predict(server, "green")["model_version"] == "v1.1.0"
    together, _ = verdict(server, lambda: save(server.config, config_with_green(repo_root, blue_model, 0, 100)), wanted="applied")
    assert [s["share"] for s in together["slots"]] == [0, 1]
    assert predict(server, "green")["model_version"] == "v1.0.0"
    server.assert_serving()
    assert "Fatal error" not in server.log()
