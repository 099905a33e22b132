"""The README's walkthrough, command by command, exactly as written (port and binary folder aside):
what each command prints where the README shows it, and the state it claims to leave behind."""

from __future__ import annotations

import json
import re

from documented_commands import block_containing, blocks, commands, pattern
from process_support import wait_until

README = "README.md"


def test_quick_start_calls_print_what_the_readme_shows(checkout, repo_root):
    documented = commands(block_containing(repo_root / README, "curl 127.0.0.1:8080/health"))
    assert [c.shell.split()[0] for c in documented] == ["curl", "curl"]
    for command in documented:
        checkout.shell.check_output(command)


def test_pinning_green_is_answered_by_green(checkout, repo_root):
    (command,) = commands(block_containing(repo_root / README, "X-Hotswap-Slot: green"))
    answer = json.loads(checkout.shell.check_output(command))
    assert (answer["slot"], answer["model_version"]) == ("green", "v1.1.0")
    assert checkout.shares() == {"blue": 1.0, "green": 0.0}, "a pin must not move traffic"


# What each command of the command-line walkthrough leaves as the split (from its comment).
WALKTHROUGH_SHARES = {
    "canary green 10": {"blue": 0.9, "green": 0.1},
    "canary green 50": {"blue": 0.5, "green": 0.5},
    "switch green": {"blue": 0.0, "green": 1.0},
    "rollback": {"blue": 0.5, "green": 0.5},
}


def test_command_line_walkthrough(checkout, repo_root):
    documented = commands(block_containing(repo_root / README, "hotswap canary green 10"))
    seen = []
    for command in documented:
        result = checkout.shell.run(command.shell)
        assert result.returncode == 0, f"line {command.line}: {command.shell}\n{result.stdout}{result.stderr}"
        action = command.shell.split("hotswap", 1)[1].strip()
        seen.append(action)
        if action in WALKTHROUGH_SHARES:
            # The edit is confirmed with the running server before the command returns.
            assert "applied by the server" in result.stdout, result.stdout
            assert checkout.shares() == WALKTHROUGH_SHARES[action], f"after `{command.shell}`"
        if action == "status":
            assert "blue" in result.stdout and "green" in result.stdout and "90" in result.stdout, result.stdout
        if action == "history":
            assert len([line for line in result.stdout.splitlines() if "APPLIED" in line]) == 5, result.stdout
        if action == "check":
            assert "ok" in result.stdout, result.stdout
    assert seen == ["canary green 10", "status", "canary green 50", "switch green", "rollback", "history", "check"]


def _save_traffic(checkout, blue: str, green: str) -> None:
    """What a person does in an editor: change the two weights and save (in place)."""
    text = checkout.config.read_text()
    text = re.sub(r"(?m)^blue = .*$", f"blue = {blue}", text)
    text = re.sub(r"(?m)^green = .*$", f"green = {green}", text)
    with open(checkout.config, "r+") as file:
        file.write(text)
        file.truncate()


def test_editor_save_then_the_split_check_counts_what_the_readme_shows(checkout, repo_root):
    readme = (repo_root / README).read_text()
    (snippet,) = [text for _, text in blocks(repo_root / README, "toml") if text.startswith("[traffic]\nblue = 90")]
    assert snippet.split() == ["[traffic]", "blue", "=", "90", "green", "=", "10"]
    _save_traffic(checkout, "90", "10")
    # "The server log says `plan applied ... plan.diff="…"`"
    diff = re.search(r'The server log says `plan applied \.\.\. (plan\.diff="[^"]*")`', readme).group(1)
    wait_until(
        lambda: any('msg="plan applied"' in line and diff in line for line in checkout.log().splitlines()),
        10, f"the log line the README shows: plan applied ... {diff}",
    )
    (split_check,) = commands(block_containing(repo_root / README, "seq 20"))
    checkout.shell.check_output(split_check)


def test_a_broken_save_changes_nothing_and_says_what_the_readme_shows(checkout, repo_root):
    _save_traffic(checkout, "90", "10")
    wait_until(lambda: checkout.shares() == {"blue": 0.9, "green": 0.1}, 10, "90/10 applied")
    (error_block,) = [text for _, text in blocks(repo_root / README, "") if "must be ≥ 0" in text]
    documented_error = error_block.strip()
    _save_traffic(checkout, "90", "-5")

    def rejected():
        last = checkout.status().get("last_error") or {}
        return last if last.get("errors") else None

    last = wait_until(rejected, 10, "the broken save to be rejected")
    # The README elides the folder: `…/conf/active.toml:18: …`.
    shown = pattern(documented_error)
    assert [error for error in last["errors"] if shown.match(error)], (documented_error, last)
    assert checkout.shares() == {"blue": 0.9, "green": 0.1}, "the last good plan keeps serving"
    assert shown.match(json.loads(checkout.get("/health")[1])["last_error"])
    assert documented_error.lstrip("…") in checkout.log()
    status = checkout.shell.run(".build/release/hotswap status")
    assert any(shown.match(line.strip()) for line in status.stdout.splitlines()), status.stdout
    # Fixing it by going back: rollback finds the history although the file is broken.
    rollback = checkout.shell.run(".build/release/hotswap rollback")
    assert rollback.returncode == 0, rollback.stdout + rollback.stderr
    assert checkout.shares() == {"blue": 1.0, "green": 0.0}, "rollback returns to the plan before 90/10"


def test_api_examples(checkout, repo_root):
    documented = commands(block_containing(repo_root / README, '"instances"'))
    batch = json.loads(checkout.shell.check_output(documented[0]))
    assert len(batch["predictions"]) == 2, batch
    checkout.shell.check_output(documented[1])
