"""The stepped rollout on the real server (short steps), and the logfmt lines of applied and
rejected plans."""

from __future__ import annotations

import json
import re

from observability_server import save, config_text, wait_until

ROLLOUT = '[rollout]\nslot = "green"\nsteps = [20, 60, 100]\nevery = "1s"\n'


def test_rollout_steps_to_promotion_and_shows_the_next_step(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 100\ngreen = 0", ROLLOUT)
    )
    server = start_server(config)
    seen = set()

    def promoted():
        status = server.status()
        rollout = status["rollout"]
        seen.add((rollout["step"], round(server.share("green"), 2)))
        if rollout["state"] == "running":
            assert 0 <= rollout["seconds_to_next_step"] <= 1
        return rollout["state"] == "promoted"

    wait_until(promoted, 15, "the rollout to reach 100 %")
    wait_until(lambda: "rollout promoted" in server.log(), 5, "the promotion's log line")
    assert server.share("green") == 1
    steps = sorted(seen)
    assert steps[-1] == (3, 1.0)
    # Each share was served in order; the first may pass before the first poll only if it lasted < 1 s.
    assert all(share in (0.2, 0.6, 1.0) for _, share in steps)
    _, _, text = server.request("GET", "/metrics")
    assert "hotswap_rollout_step 3.0" in text.decode()
    history_file = tmp_path / "state" / "history.jsonl"

    def rollout_entries() -> int:
        # The audit trail is written in the background, in order: wait for the step entries.
        history = [json.loads(line) for line in history_file.read_text().splitlines()]
        return [h["trigger"] for h in history].count("rollout")

    wait_until(lambda: rollout_entries() >= 2, 10, "the rollout steps in history.jsonl")
    assert rollout_entries() == 2


def test_applied_and_rejected_plans_are_logged_once_with_diff_and_reason(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 90\ngreen = 10")
    )
    server = start_server(config)
    save(config, config.read_text().replace("blue = 90\ngreen = 10", "blue = 50\ngreen = 50"))
    wait_until(lambda: server.share("green") == 0.5, 10, "the new weights")
    save(config, config.read_text().replace("blue = 50", "blue = -5"))
    wait_until(lambda: server.status()["last_error"] is not None, 10, "the rejection")
    # The line is written just after the state changes: wait for it, not for /status.
    wait_until(lambda: "msg=\"plan rejected" in server.log(), 10, "the rejection's log line")
    lines = server.log().splitlines()
    applied = [line for line in lines if 'msg="plan applied"' in line]
    rejected = [line for line in lines if "msg=\"plan rejected" in line]
    assert len(applied) == 2 and len(rejected) == 1, lines
    assert 'plan.diff="traffic blue 90% → 50%, green 10% → 50%"' in applied[1]
    assert re.search(r'plan\.shares="blue=90% green=10% → blue=50% green=50%"', applied[1])
    assert "level=error" in rejected[0] and "plan.errors=" in rejected[0] and "-5" in rejected[0]
    for line in applied + rejected:
        keys = re.findall(r" ([a-z_.]+)=", line)
        assert all(re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)*", key) for key in keys), line
