"""Shadow traffic end to end against the real binary run as the service user: the exact agreement
count of iris v1.0.0 (live) and v1.1.0 (shadow) on a known input set, as onnxruntime computes it;
the disagreement sample holds exactly the disagreeing inputs; what is and is not mirrored; the
shadow in /status, `hotswap status`, /metrics and the log; applied and removed by saving the file;
a restart continues the totals."""

from __future__ import annotations

import subprocess

import numpy as np

from observability_server import save, wait_until
from process_support import as_service_user
from shadow_support import (
    disagreeing,
    json_lines,
    known_inputs,
    metric,
    shadow_config,
    shadow_totals,
    wait_for_copies,
)


def hotswap(bin_dir, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        as_service_user([str(bin_dir / "hotswap"), *args]), capture_output=True, text=True, timeout=60, env=env
    )


def test_exact_agreement_and_the_disagreement_sample(start_server, bin_dir, repo_root, tmp_path):
    rows = known_inputs()
    expected = disagreeing(repo_root, rows)
    assert 0 < len(expected) < len(rows) // 2
    config = tmp_path / "active.toml"
    config.write_text(shadow_config(repo_root, shadow='slot = "green"\nrecord = 1000'))
    server = start_server(config)
    for row in rows:
        code, body = server.predict(row)
        assert code == 200 and body["slot"] == "blue" and body["model_version"] == "v1.0.0"
    total = wait_for_copies(server, len(rows))
    assert total["compared"] == len(rows)
    assert total["dropped"] == 0 and total["errors"] == 0
    assert total["predictions"] == len(rows)
    assert total["disagreeing"] == len(expected)
    assert total["agreeing"] == len(rows) - len(expected)
    assert abs(total["agreement"] - (len(rows) - len(expected)) / len(rows)) < 1e-12

    shadow = server.status()["shadow"]
    assert shadow["slot"] == "green" and shadow["version"] == "v1.1.0" and shadow["active"] is True
    assert shadow["window"]["compared"] == len(rows)
    assert shadow["window"]["shadow_latency_ms"]["p99"] > 0 and shadow["window"]["live_latency_ms"]["p99"] > 0
    assert shadow["mirrored_share"] == 1

    # The sample holds exactly the disagreeing inputs, in order, with both answers.
    wait_until(lambda: (tmp_path / "state" / "shadow-disagreements.jsonl").exists(), 5, "the sample file")
    env = {"HOTSWAP_STATE_DIRECTORY": str(tmp_path / "state")}
    result = hotswap(bin_dir, "shadow", "diffs", "--json", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert [r["input"] for r in records] == expected
    assert all(r["live"]["slot"] == "blue" and r["shadow"]["slot"] == "green" for r in records)
    assert all(r["live"]["prediction"] != r["shadow"]["prediction"] for r in records)
    assert all(r["protocol"] == "rest" and r["endpoint"] == "predict" for r in records)
    text = hotswap(bin_dir, "shadow", "diffs", "--last", "1", "--config", str(config), env=env)
    assert text.returncode == 0 and "input:" in text.stdout and "(shadow)" in text.stdout
    assert (tmp_path / "state" / "shadow-disagreements.jsonl").stat().st_mode & 0o007 == 0

    # /metrics and `hotswap status` say the same.
    assert metric(server, 'hotswap_shadow_requests_total{slot="green",result="compared"}') == len(rows)
    assert metric(server, 'hotswap_shadow_disagreements_total{slot="green"}') == len(expected)
    assert metric(server, 'hotswap_shadow_predictions_total{slot="green"}') == len(rows)
    assert metric(server, 'hotswap_shadow_difference_count{slot="green"}') == len(rows)
    assert metric(server, 'hotswap_shadow_latency_seconds_count{slot="green"}') == len(rows)
    status = hotswap(bin_dir, "status", "--url", f"http://127.0.0.1:{server.port}")
    assert status.returncode == 0, status.stderr
    assert "shadow:     green v1.1.0" in status.stdout
    assert f"({len(expected)} of {len(rows)} predictions differ)" in status.stdout


def test_what_is_mirrored(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(shadow_config(repo_root, traffic="blue = 50\ngreen = 50", shadow='slot = "green"'))
    server = start_server(config)
    shadow = server.status()["shadow"]
    assert shadow["mirrored_share"] == 0.5
    assert "takes 50% of unpinned traffic itself" in shadow["note"]
    # 40 unpinned requests: 20 answered by blue (mirrored), 20 by green (not).
    answered = [server.predict((5.1, 3.5, 1.4, 0.2))[1]["slot"] for _ in range(40)]
    assert answered.count("blue") == 20
    # Pinned requests, to either slot, are never mirrored.
    for slot in ("blue", "green"):
        code, _, _ = server.request("POST", "/predict", {"features": [5.1, 3.5, 1.4, 0.2]}, {"X-Hotswap-Slot": slot})
        assert code == 200
    # Client errors are not mirrored either.
    assert server.predict((1, 2))[0] == 400
    # A last request answered by blue marks the end: the shadow runs copies in order, so once it
    # is counted, any copy of the pinned or failed requests would have been counted too.
    while server.predict((5.1, 3.5, 1.4, 0.2))[1]["slot"] != "blue":
        pass
    total = wait_for_copies(server, 21)
    assert total["compared"] == 21
    assert shadow_totals(server)["compared"] == 21


def test_a_sample_mirrors_its_share(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(shadow_config(repo_root, shadow='slot = "green"\nsample = 25'))
    server = start_server(config)
    for _ in range(200):
        assert server.predict((6.1, 2.8, 4.7, 1.2))[0] == 200
    total = wait_for_copies(server, 50)
    assert total["compared"] == 50


def test_applied_removed_and_rejected_by_saving(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    plain = shadow_config(repo_root).split("[shadow]")[0]
    config.write_text(plain)
    server = start_server(config)
    assert server.status()["shadow"] is None

    save(config, shadow_config(repo_root))
    wait_until(lambda: server.status()["shadow"] is not None, 10, "the shadow to begin")
    for _ in range(10):
        server.predict((5.1, 3.5, 1.4, 0.2))
    wait_for_copies(server, 10)
    wait_until(lambda: 'msg="shadow began"' in server.log(), 5, "the log line")

    # A broken [shadow] is rejected as a whole; the running shadow goes on.
    save(config, shadow_config(repo_root, shadow='slot = "gren"'))
    wait_until(lambda: server.status()["last_error"] is not None, 10, "the rejection")
    errors = server.status()["last_error"]["errors"]
    assert any("'slot' in [shadow] names unknown slot 'gren' (did you mean 'green'?)" in e for e in errors)
    assert server.status()["shadow"]["slot"] == "green"

    save(config, plain)
    wait_until(lambda: server.status()["shadow"] is None, 10, "the shadow to end")
    wait_until(lambda: 'msg="shadow ended"' in server.log(), 5, "the log line")
    before = metric(server, 'hotswap_shadow_requests_total{slot="green",result="compared"}')
    for _ in range(10):
        server.predict((5.1, 3.5, 1.4, 0.2))
    assert metric(server, 'hotswap_shadow_requests_total{slot="green",result="compared"}') == before


def test_a_restart_continues_the_totals(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(shadow_config(repo_root, shadow='slot = "green"\nrecord = 10'))
    server = start_server(config)
    rows = known_inputs()[:200]
    for row in rows:
        server.predict(row)
    before = wait_for_copies(server, len(rows))
    began = server.status()["shadow"]["began_at"]
    server.stop()

    restarted = start_server(config)
    shadow = restarted.status()["shadow"]
    assert shadow["restored"] is True
    assert shadow["began_at"] == began
    for key in ("compared", "dropped", "errors", "predictions", "agreeing"):
        assert shadow["total"][key] == before[key], key
    # The window (what the guard judges) starts again with the process.
    assert shadow["window"]["compared"] == 0
    assert shadow["disagreements_recorded"] == min(10, before["disagreeing"])
    assert "shadow continues (totals restored)" in restarted.log()


def test_open_inference_protocol_infer_is_mirrored(start_server, bin_dir, repo_root, tmp_path):
    # The same known inputs as one OIP REST `infer` batch: the same exact agreement count, and
    # the sample holds the disagreeing rows as tensors slices, marked `infer`.
    rows = known_inputs()
    expected = disagreeing(repo_root, rows)
    config = tmp_path / "active.toml"
    config.write_text(shadow_config(repo_root, shadow='slot = "green"\nrecord = 1000'))
    server = start_server(config)
    flat = [value for row in rows for value in row]
    body = {"inputs": [{"name": "X", "shape": [len(rows), 4], "datatype": "FP32", "data": flat}]}
    code, headers, payload = server.request("POST", "/v2/models/iris/infer", body)
    assert code == 200, payload
    assert headers["x-hotswap-slot"] == "blue"
    # Pinned by version in the path: never mirrored.
    code, _, _ = server.request("POST", "/v2/models/iris/versions/v1.0.0/infer", body)
    assert code == 200
    # A last unpinned request marks the end (copies run in order).
    single = {"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": rows[0]}]}
    assert server.request("POST", "/v2/models/iris/infer", single)[0] == 200
    total = wait_for_copies(server, 2)
    assert total["compared"] == 2 and total["errors"] == 0 and total["dropped"] == 0
    assert total["predictions"] == len(rows) + 1
    assert total["disagreeing"] == len(expected)
    wait_until(lambda: (tmp_path / "state" / "shadow-disagreements.jsonl").exists(), 5, "the sample file")
    env = {"HOTSWAP_STATE_DIRECTORY": str(tmp_path / "state")}
    result = hotswap(bin_dir, "shadow", "diffs", "--json", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    # FP32 tensors: the recorded values are the float32 values the models saw.
    assert [r["input"]["X"] for r in records] == [[float(np.float32(v)) for v in row] for row in expected]
    assert all(r["protocol"] == "rest" and r["endpoint"] == "infer" for r in records)
