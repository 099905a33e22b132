"""The prediction log end to end, as the service user: the default sample, a save that logs every
prediction with its input, what a line holds on each REST prediction path, rotation at max_bytes,
`hotswap predictions` reading it, and a log that cannot be written costing no request."""

from __future__ import annotations

import json
import os
import subprocess
import time

from observability_server import config_text, save, wait_until
from process_support import as_service_user

BLUE = "iris/v1.0.0/model.onnx"
GREEN = "iris/v1.1.0/model.onnx"
SETOSA = [5.1, 3.5, 1.4, 0.2]


def lines(state) -> list[dict]:
    path = state / "predictions.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def predictions_cli(bin_dir, config, state, *args) -> str:
    env = dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(state))
    result = subprocess.run(
        as_service_user([str(bin_dir / "hotswap"), "predictions", "--config", str(config), *args]),
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_by_default_one_prediction_in_a_hundred_is_logged_without_its_input(bin_dir, start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(config_text(repo_root, BLUE, GREEN, "blue = 100"))
    server = start_server(config)
    for _ in range(300):
        assert server.predict(SETOSA)[0] == 200
    state = tmp_path / "state"
    wait_until(lambda: len(lines(state)) == 3, 10, "3 lines for 300 predictions")
    for line in lines(state):
        assert line["slot"] == "blue" and line["version"] == "v1.0.0"
        assert line["protocol"] == "rest" and line["endpoint"] == "predict" and line["route"] == "weighted"
        assert line["outcome"] == "ok" and line["rows"] == 1
        assert line["predictions"][0]["class_name"] == "setosa"
        assert "inputs" not in line
    # The file is the service user's, not world-readable (predictions may be personal data).
    assert (state / "predictions.jsonl").stat().st_mode & 0o777 == 0o640
    # Another user is told why it cannot read it, not that nothing was logged.
    other = subprocess.run(
        ["setpriv", "--reuid", "12345", "--regid", "12345", "--clear-groups",
         str(bin_dir / "hotswap"), "predictions", "--config", str(config)],
        capture_output=True, text=True, env=dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(state)), timeout=30,
    )
    assert other.returncode == 1
    assert "cannot read" in other.stderr and "Permission denied" in other.stderr


def test_a_save_logs_every_prediction_with_its_input_on_every_rest_path(bin_dir, start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    base = config_text(repo_root, BLUE, GREEN, 'blue = 100\nsticky_header = "x-user"')
    config.write_text(base)
    server = start_server(config)
    state = tmp_path / "state"
    save(config, base + "\n[prediction_log]\nsample = 1.0\ninputs = true\n")
    wait_until(lambda: server.status()["generation"] == 2, 10, "the save to apply")

    assert server.request("POST", "/predict", {"instances": [SETOSA, [6.0, 3.0, 5.0, 2.0]]}, {"x-user": "u-42"})[0] == 200
    assert server.request("POST", "/predict", {"features": SETOSA}, {"x-hotswap-slot": "green"})[0] == 200
    assert server.request("POST", "/predict", {"features": SETOSA[:3]})[0] == 400
    infer = {"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": SETOSA}]}
    assert server.request("POST", "/v2/models/iris/infer", infer)[0] == 200
    assert server.request("POST", "/v2/models/iris/versions/v1.1.0/infer", infer)[0] == 200
    wait_until(lambda: len(lines(state)) == 5, 10, "a line per prediction")
    batch, pinned, bad, infer_line, infer_pinned = lines(state)

    assert batch["sticky_key"] == "u-42" and batch["route"] == "sticky" and batch["rows"] == 2
    assert [p["class_name"] for p in batch["predictions"]] == ["setosa", "virginica"]
    assert batch["inputs"] == [SETOSA, [6, 3, 5, 2]]
    assert pinned["slot"] == "green" and pinned["route"] == "pinned" and pinned["version"] == "v1.1.0"
    assert bad["outcome"] == "client_error" and "expected 4 features" in bad["error"]
    assert infer_line["endpoint"] == "infer" and infer_line["predictions"][0]["class_name"] == "setosa"
    assert infer_line["inputs"] == [{"name": "X", "datatype": "FP32", "shape": [1, 4], "data": SETOSA}]
    assert infer_pinned["slot"] == "green" and infer_pinned["route"] == "pinned"
    for line in lines(state):
        assert line["latency_ms"] > 0 and line["time"].endswith("Z")

    readable = predictions_cli(bin_dir, config, state, "--last", "2").splitlines()
    assert len(readable) == 2
    assert "blue v1.0.0  rest infer  weighted" in readable[0] and "0 setosa (" in readable[0]
    assert "green v1.1.0  rest infer  pinned" in readable[1]
    only_green = predictions_cli(bin_dir, config, state, "--slot", "green", "--json").splitlines()
    assert [json.loads(line)["slot"] for line in only_green] == ["green", "green"]

    # sample = 0 turns it off at once.
    save(config, base + "\n[prediction_log]\nsample = 0\n")
    wait_until(lambda: server.status()["generation"] == 3, 10, "the save to apply")
    for _ in range(50):
        assert server.predict(SETOSA)[0] == 200
    server.request("GET", "/metrics")
    assert len(lines(state)) == 5


def test_the_log_rotates_at_max_bytes_and_stays_bounded(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    extra = "[prediction_log]\nsample = 1\ninputs = true\nmax_bytes = 65536\n"
    config.write_text(config_text(repo_root, BLUE, GREEN, "blue = 100", extra))
    server = start_server(config)
    state = tmp_path / "state"
    for _ in range(700):  # ~280 bytes a line: about three files' worth
        assert server.predict(SETOSA)[0] == 200
    wait_until(lambda: (state / "predictions.jsonl.1").exists(), 10, "a rotation")

    def settled():
        _, _, metrics = server.request("GET", "/metrics")
        return 'hotswap_prediction_log_lines_total{result="written"} 700' in metrics.decode()

    wait_until(settled, 10, "every line written")
    for name in ("predictions.jsonl", "predictions.jsonl.1"):
        assert (state / name).stat().st_size <= 65536, name
    assert not (state / "predictions.jsonl.2").exists()
    every = [json.loads(line) for line in (state / "predictions.jsonl.1").read_text().splitlines()] + lines(state)
    assert all(line["outcome"] == "ok" for line in every)


def test_a_log_that_cannot_be_written_costs_no_request_and_is_counted(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(config_text(repo_root, BLUE, GREEN, "blue = 100", "[prediction_log]\nsample = 1\n"))
    state = tmp_path / "state"
    state.mkdir()
    (state / "predictions.jsonl").mkdir()  # a directory where the file should be: every append fails
    os.chown(state, 65534, 65534)
    server = start_server(config)
    for _ in range(100):
        assert server.predict(SETOSA)[0] == 200

    def failed() -> bool:
        _, _, metrics = server.request("GET", "/metrics")
        return 'hotswap_prediction_log_lines_total{result="failed"} 100' in metrics.decode()

    wait_until(failed, 10, "100 failed lines counted")
    log = server.log()
    assert log.count("prediction log not written") == 1, log


def test_hostile_inputs_and_a_fifo_cost_nothing_and_stay_bounded(start_server, repo_root, tmp_path):
    """Megabyte strings as features with inputs on: every line stays small and whole. A FIFO in
    place of the file: nothing blocks, lines count as failed, and the server still stops at once."""
    config = tmp_path / "active.toml"
    extra = "[prediction_log]\nsample = 1\ninputs = true\nmax_bytes = 65536\n"
    config.write_text(config_text(repo_root, BLUE, GREEN, "blue = 100", extra))
    server = start_server(config)
    state = tmp_path / "state"
    huge = "A" * 500_000
    for _ in range(20):
        assert server.request("POST", "/predict", {"features": [huge, 1, 2, 3]})[0] == 400
    assert server.predict(SETOSA)[0] == 200
    wait_until(lambda: len(lines(state)) == 21, 10, "21 lines")
    for line in (state / "predictions.jsonl").read_text().splitlines():
        assert len(line) < 48 << 10
    assert (state / "predictions.jsonl").stat().st_size <= 65536
    first = json.loads((state / "predictions.jsonl").read_text().splitlines()[0])
    assert first["inputs"][0][0].endswith("...") and len(first["inputs"][0][0]) <= 512

    (state / "predictions.jsonl").unlink()
    os.mkfifo(state / "predictions.jsonl")
    os.chown(state / "predictions.jsonl", 65534, 65534)
    for _ in range(50):
        assert server.predict(SETOSA)[0] == 200

    def failed() -> bool:
        _, _, metrics = server.request("GET", "/metrics")
        return 'hotswap_prediction_log_lines_total{result="failed"} 50' in metrics.decode()

    wait_until(failed, 10, "the FIFO's lines counted as failed")
    assert "is a FIFO" in server.log() or "not a regular file" in server.log()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 10
    assert server.popen.returncode == 0


def test_predictions_cli_follows_across_rotations_and_survives_corrupt_lines(bin_dir, start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    extra = "[prediction_log]\nsample = 1\nmax_bytes = 65536\n"
    config.write_text(config_text(repo_root, BLUE, GREEN, "blue = 100", extra))
    server = start_server(config)
    state = tmp_path / "state"
    env = dict(os.environ, HOTSWAP_STATE_DIRECTORY=str(state))
    followed = open(tmp_path / "followed.txt", "wb")  # a file, not a pipe that fills up
    follower = subprocess.Popen(
        as_service_user([str(bin_dir / "hotswap"), "predictions", "--config", str(config), "--last", "0", "-f", "--json"]),
        stdout=followed,
        env=env,
    )
    try:
        time.sleep(0.5)  # the follower is looking
        # About three rotations, each well apart from the next (the follower looks every 250 ms).
        for number in range(750):
            assert server.predict(SETOSA)[0] == 200
            if number % 50 == 0:
                time.sleep(0.15)

        def all_written() -> bool:
            _, _, metrics = server.request("GET", "/metrics")
            return 'hotswap_prediction_log_lines_total{result="written"} 750' in metrics.decode()

        wait_until(all_written, 10, "every line written")
        time.sleep(1.0)  # the follower looks every 250 ms
    finally:
        follower.terminate()
    follower.wait(timeout=10)
    followed.close()
    output = (tmp_path / "followed.txt").read_text().splitlines()
    assert (state / "predictions.jsonl.1").exists()
    assert len(output) == 750, len(output)
    assert all(json.loads(line)["outcome"] == "ok" for line in output)

    # Corrupt or hostile lines are printed as well as they can be, never a crash.
    corrupt = state / "predictions.jsonl"
    os.chmod(corrupt, 0o666)
    with open(corrupt, "a") as file:
        file.write('{"rows":1e19,"predictions":[{"confidence":-0.5,"prediction":10000000000000000000}]}\n')
        file.write('{"latency_ms":99999999999999999999,"predictions":[{"confidence":1e16}]}\n')
        file.write("not json at all\n")
    text = predictions_cli(bin_dir, config, state, "--last", "3")
    assert "not json at all" in text
    assert predictions_cli(bin_dir, config, state, "--last", "0") == ""
