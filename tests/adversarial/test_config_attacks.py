"""Pathological config files (the hostile-file issue's rows 12 and 13, and FIFO/device configs):
each is rejected quickly with a message naming the limit or what the file is, the last good plan
keeps serving, concurrent /health stays fast, RSS returns near its start, and the next good save
applies (nothing is stuck). The server runs as the service user under RLIMIT_AS."""

from __future__ import annotations

import os
import pathlib

import pytest
from adversary import HealthProbe
from file_attacks import (
    MIB,
    assert_last_good_plan,
    assert_rss_returns,
    config_with_green,
    replace_with,
    save,
    status,
    verdict,
)


def renamed(config: pathlib.Path, content: bytes):
    """Writes `content` beside the config now; the returned change renames it over the config."""
    temporary = config.with_name(".attack.tmp")
    temporary.write_bytes(content)
    return lambda: os.replace(temporary, config)


def sparse_file(folder: pathlib.Path, size: int) -> pathlib.Path:
    path = folder / "huge.toml"
    with open(path, "wb") as file:
        file.truncate(size)
    path.chmod(0o644)
    return path


# (name, prepare(config) -> change, expected message part, seconds allowed from change to verdict)
CASES = [
    (
        "dotted key 50 000 levels deep",
        lambda config: renamed(config, ("x" + ".x" * 49_999 + " = 1\n").encode()),
        "nest more than 32 levels deep here; the limit is 32",
        1.0,
    ),
    (
        "table header 10 000 levels deep",
        lambda config: renamed(config, ("[" + ".".join(["t"] * 10_000) + "]\n").encode()),
        "nest more than 32 levels deep here; the limit is 32",
        1.0,
    ),
    (
        "100 MB file",
        lambda config: renamed(config, b"# " + b"x" * (100 * MIB) + b"\n"),
        "is 104857603 bytes (100 MiB); the limit is 1048576 bytes (1 MiB)",
        1.0,
    ),
    (
        "200 000 keys",
        lambda config: renamed(config, "".join(f"k{i} = 1\n" for i in range(200_000)).encode()),
        "the limit is 1048576 bytes (1 MiB)",
        1.0,
    ),
    (
        "20 000 keys within the size limit",
        lambda config: renamed(config, "".join(f"k{i}=1\n" for i in range(20_000)).encode()),
        "the file has more than 10000 keys and table headers; the limit is 10000",
        1.0,
    ),
    (
        "a FIFO",
        lambda config: lambda: replace_with(config, lambda path: os.mkfifo(path, 0o644)),
        "cannot read the config file: it is a FIFO (named pipe), not a regular file",
        1.0,
    ),
    (
        "a symlink to /dev/zero",
        lambda config: lambda: replace_with(config, lambda path: os.symlink("/dev/zero", path)),
        "cannot read the config file: it is a character device, not a regular file",
        1.0,
    ),
    (
        "a symlink to a sparse 2 GiB file",
        lambda config: lambda: replace_with(
            config, lambda path: os.symlink(sparse_file(config.parent, 2 << 30), path)
        ),
        "is 2147483648 bytes (2 GiB); the limit is 1048576 bytes (1 MiB)",
        1.0,
    ),
    (
        "a symlink to a directory",
        lambda config: lambda: replace_with(config, lambda path: os.symlink(config.parent, path)),
        "cannot read the config file: it is a directory, not a regular file",
        1.0,
    ),
]


@pytest.mark.parametrize("name,prepare,message,allowed", CASES, ids=[case[0] for case in CASES])
def test_a_pathological_config_is_rejected_fast_and_changes_nothing(launch, repo_root, name, prepare, message, allowed):
    server = launch()
    good = status(server)
    baseline = server.rss()
    change = prepare(server.config)
    with HealthProbe(server.port) as probe:
        after, seconds = verdict(server, change)
    print(f"{name}: rejected in {seconds * 1000:.1f} ms")
    assert after["reloads"]["rejected"] == good["reloads"]["rejected"] + 1, after
    errors = after["last_error"]["errors"]
    assert len(errors) == 1 and message in errors[0], errors
    assert seconds < allowed, f"{name}: {seconds:.2f}s to reject"
    assert_last_good_plan(server, good)
    probe.assert_responsive(bound=1.0)
    assert_rss_returns(server, baseline)
    # Nothing is stuck: the next good save applies.
    good_text = config_with_green(repo_root, repo_root / "models/iris/v1.1.0/model.onnx", blue=50, green=50)
    applied, _ = verdict(server, lambda: save(server.config, good_text), wanted="applied")
    assert applied["generation"] == good["generation"] + 1, applied
    assert [s["share"] for s in applied["slots"]] == [0.5, 0.5]


def test_thousands_of_problems_report_twenty(launch, repo_root):
    server = launch()
    unknown = "".join(f"unknown{i} = 1\n" for i in range(9_000))
    after, seconds = verdict(server, lambda: save(server.config, unknown + config_with_green(
        repo_root, repo_root / "models/iris/v1.1.0/model.onnx")))
    errors = after["last_error"]["errors"]
    assert len(errors) == 21, len(errors)
    assert errors[-1].endswith("and 8980 more problems (only the first 20 are reported)"), errors[-1]
    assert seconds < 3.0, f"{seconds:.2f}s"
    server.assert_serving()


def test_a_large_valid_config_applies_and_its_memory_and_history_stay_bounded(launch, repo_root):
    """256 slots sharing one model file, each with a 3 000-character version: ~850 KB, within the
    limits. Applied and replaced six times: RSS returns near its start (the parser's memory is
    handed back), and the audit trail rotates instead of growing by the config's size each time."""
    server = launch()
    model = repo_root / "models/iris/v1.0.0/model.onnx"
    large = "".join(
        f'[slots.s{i:03}]\nmodel = "{model}"\nversion = "v{i}-{"x" * 3000}"\n' for i in range(256)
    ) + "[traffic]\n" + "".join(f"s{i:03} = 1\n" for i in range(256))
    assert len(large) < MIB
    small = config_with_green(repo_root, repo_root / "models/iris/v1.1.0/model.onnx")
    baseline = server.rss()
    with HealthProbe(server.port) as probe:
        for round_ in range(6):
            applied, seconds = verdict(
                server, lambda: save(server.config, large + f"# round {round_}\n"), wanted="applied"
            )
            assert len(applied["slots"]) == 256, applied.get("last_error")
            assert seconds < 5.0, f"{seconds:.2f}s to apply the large config"
            applied, _ = verdict(server, lambda: save(server.config, small + f"# round {round_}\n"), wanted="applied")
            assert len(applied["slots"]) == 2
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert_rss_returns(server, baseline)
    history = server.state / "history.jsonl"
    rotated = server.state / "history.jsonl.1"
    assert rotated.exists(), "six large configs did not rotate the history"
    for path in (history, rotated):
        assert path.stat().st_size <= 4 * MIB + MIB, f"{path}: {path.stat().st_size} bytes"
