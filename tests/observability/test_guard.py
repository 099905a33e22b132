"""The guard end to end: a green model that fails on part of the traffic trips it within the
window, blue takes all traffic, the trip survives a restart and clears when the file changes."""

from __future__ import annotations

import json
import time

from observability_server import save, config_text, wait_until

GUARD = '[guard]\nmax_error_rate = 0.1\nmin_requests = 20\nwindow = "10s"\n'
OK = (5.1, 3.5, 1.4, 0.2)
FAILING = (12.0, 3.5, 1.4, 0.2)


def test_failing_canary_trips_and_stays_tripped_until_the_file_changes(
    start_server, failing_model, repo_root, tmp_path
):
    config = tmp_path / "active.toml"
    config.write_text(config_text(repo_root, "iris/v1.0.0/model.onnx", str(failing_model), "blue = 50\ngreen = 50", GUARD))
    server = start_server(config)
    assert server.status()["guard"]["state"] == "holding"

    # Half the requests land on green; every one of those fails there (500), blue answers them.
    first_failure = None
    codes = []
    for _ in range(200):
        code, body = server.predict(FAILING)
        codes.append(code)
        if code == 500 and first_failure is None:
            first_failure = time.monotonic()
        if server.share("green") == 0:
            break
    assert first_failure is not None, codes
    wait_until(lambda: server.share("green") == 0, 10, "green to lose its traffic")
    reaction = time.monotonic() - first_failure
    assert reaction < 10, reaction

    status = server.status()
    assert status["guard"]["state"] == "tripped"
    assert [t["slot"] for t in status["guard"]["trips"]] == ["green"]
    assert status["guard"]["trips"][0]["stable"] == "blue"
    assert next(s for s in status["slots"] if s["name"] == "blue")["share"] == 1
    # Everything unpinned now goes to blue.
    for _ in range(20):
        code, body = server.predict(OK)
        assert code == 200 and body["slot"] == "blue"

    wait_until(lambda: "guard tripped" in server.log(), 5, "the trip's log line")
    log = server.log()
    trip_lines = [line for line in log.splitlines() if "guard tripped" in line]
    assert len(trip_lines) == 1 and "level=error" in trip_lines[0] and "guard.slot=green" in trip_lines[0]
    # The audit trail is written in the background, after the trip is served: wait for its entry.
    def last_entry() -> dict | None:
        lines = (tmp_path / "state" / "history.jsonl").read_text().splitlines()
        return json.loads(lines[-1]) if lines else None

    entry = wait_until(lambda: (e := last_entry()) and e["trigger"] == "guard-trip" and e, 5, "the trip in the history")
    assert "error rate" in entry["reason"]
    _, _, metrics = server.request("GET", "/metrics")
    assert 'hotswap_guard_trips_total{slot="green"} 1' in metrics.decode()

    # A restart keeps the trip in force before any request is served.
    server.stop()
    restarted = start_server(config)
    assert restarted.share("green") == 0
    assert restarted.status()["guard"]["state"] == "tripped"

    # Saving the file clears it.
    save(config, config.read_text() + "# reviewed\n")
    wait_until(lambda: restarted.share("green") == 0.5, 10, "the trip to clear after the file changed")
    assert restarted.status()["guard"]["trips"] == []


def test_client_errors_do_not_trip_the_guard(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 50\ngreen = 50", GUARD)
    )
    server = start_server(config)
    for _ in range(100):
        code, _ = server.predict((1.0, 2.0))  # wrong feature count: 400
        assert code == 400
    # Nothing may happen: watch over a few evaluation periods of the guard (250 ms each).
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        assert server.status()["guard"]["state"] == "holding"
        assert server.share("green") == 0.5
