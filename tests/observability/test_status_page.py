"""The status page at `/` in headless Chromium: self-contained, and the numbers it shows are those
of `/status`."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading

import pytest

from observability_server import config_text, wait_until


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is missing (Debian package chromium)")


def fields(dom: str) -> dict[str, str]:
    """Every element's `data-field` and its text (tags inside stripped)."""
    found = {}
    for match in re.finditer(r'<(\w+)[^>]*data-field="([^"]+)"[^>]*>(.*?)</\1>', dom, re.S):
        found[match.group(2)] = html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).strip()
    return found


def test_page_is_self_contained(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(config_text(repo_root, "iris/v1.0.0/model.onnx", "iris/v1.1.0/model.onnx", "blue = 1"))
    server = start_server(config)
    code, headers, body = server.request("GET", "/")
    page = body.decode()
    assert code == 200 and headers["content-type"].startswith("text/html")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "fetch(\"/status\"" in page


def test_chromium_shows_the_numbers_of_status(start_server, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(
        config_text(
            repo_root,
            "iris/v1.0.0/model.onnx",
            "iris/v1.1.0/model.onnx",
            "blue = 70\ngreen = 30",
            '[guard]\nmax_error_rate = 0.2\nmax_p99_ms = 250\n\n[rollout]\nslot = "green"\nsteps = [30, 100]\nevery = "1h"\n',
        )
    )
    server = start_server(config)
    for _ in range(60):
        assert server.predict((5.1, 3.5, 1.4, 0.2))[0] == 200
    # The live numbers cover complete seconds: wait until the requests are in them.
    wait_until(lambda: sum(s["stats"]["requests"] for s in server.status()["slots"]) >= 60, 5, "live numbers")
    # Keep traffic flowing while Chromium starts (which can take longer than the page's 10 s
    # window on a loaded machine), so the page always draws live numbers.
    stop = threading.Event()
    failures = []

    def traffic():
        while not stop.wait(0.1):
            if server.predict((5.1, 3.5, 1.4, 0.2))[0] != 200:
                failures.append("predict failed")

    sender = threading.Thread(target=traffic, daemon=True)
    sender.start()
    try:
        result = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--virtual-time-budget=3000",
                "--dump-dom",
                f"http://127.0.0.1:{server.port}/",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop.set()
        sender.join(timeout=10)
    assert failures == []
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    raw = re.search(r'<pre id="raw"[^>]*>(.*?)</pre>', dom, re.S)
    assert raw and raw.group(1), dom[:2000]
    shown_from = json.loads(html.unescape(raw.group(1)))
    shown = fields(dom)
    live = server.status()

    # Stable facts: the same as an independent /status request.
    assert shown["generation"] == str(live["generation"]) == str(shown_from["generation"])
    assert shown["server.model_name"] == "iris"
    for slot in live["slots"]:
        name = slot["name"]
        assert shown[f"slots.{name}.version"] == slot["version"]
        assert shown[f"slots.{name}.share"] == f"{slot['share'] * 100:.1f} %"
    assert shown["guard.state"] == live["guard"]["state"] == "holding"
    assert shown["guard.stable"] == "blue"
    assert shown["rollout.state"] == "running"
    assert shown["rollout.step"] == "1"
    assert shown["rollout.percent"] == "30 %"
    assert shown["last_error"] == "none"

    # Moving numbers: exactly those of the /status document the page drew.
    for slot in shown_from["slots"]:
        stats = slot["stats"]
        name = slot["name"]
        assert shown[f"slots.{name}.rps"] == f"{stats['requests_per_second']:.1f}"
        p99 = stats["p99_ms"]
        assert shown[f"slots.{name}.p99_ms"] == ("–" if p99 is None else f"{p99:.2f}")
    # The page ran against live traffic: requests were in the window it showed.
    assert sum(s["stats"]["requests"] for s in shown_from["slots"]) > 0
