"""The status page's charts in headless Chromium, against a real rollout: blue serves, green is
shadowed and gated ([guard] min_agreement), the rollout waits for the shadow, steps, then green
disagrees on the live traffic and the guard trips it. Each chart's latest point is the last value
of the `/status` history it was drawn from, every slot has its line, the events are marked on the
time axis, and an independent `/status` request holds the same points. A phone-sized screenshot
is taken (and kept in $HOTSWAP_SCREENSHOT_DIR when set, for a person to look at)."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import struct
import subprocess
import threading

from observability_server import wait_until
from shadow_support import disagreeing, known_inputs, shadow_config
from test_status_page import chromium, fields

AGREEING = [5.1, 3.5, 1.4, 0.2]


class Traffic:
    """A client posting one row every 20 ms on its own keep-alive connection until stopped; the
    row can be changed while it runs."""

    def __init__(self, port: int, row: list[float]):
        self.port = port
        self.row = row
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self._stop.wait(0.02):
            conn.request("POST", "/predict", json.dumps({"features": self.row}), {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                self.failures.append(str(response.status))
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


def latest(values: list) -> float | None:
    for value in reversed(values):
        if value is not None:
            return value
    return None


def run_chromium(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--virtual-time-budget=3000",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_charts_draw_the_history_of_status(start_server, repo_root, tmp_path):
    wrong = disagreeing(repo_root, known_inputs())[0]
    config = tmp_path / "active.toml"
    config.write_text(
        shadow_config(
            repo_root,
            shadow='slot = "green"',
            extra=(
                '[guard]\nmin_agreement = 0.9\nmin_requests = 20\nwindow = "20s"\n\n'
                '[rollout]\nslot = "green"\nsteps = [20, 100]\nevery = "1h"\n'
            ),
        )
    )
    server = start_server(config)
    traffic = Traffic(server.port, AGREEING)
    try:
        # The rollout waits for the shadow, which agrees on this row: it takes its first step.
        wait_until(lambda: server.status()["rollout"]["state"] == "running", 30, "the rollout's first step")
        # Now green disagrees with blue on every request it shadows: the guard takes its traffic.
        traffic.row = wrong
        wait_until(lambda: server.status()["guard"]["trips"], 40, "the guard to trip green")
        # Both slots answered in a completed 10-second interval, and every event is in the history.
        def charted():
            history = server.status()["history"]
            rates = {s["name"]: s["requests_per_second"] for s in history["slots"]}
            kinds = {e["kind"] for e in history["events"]}
            return all(any(v for v in rates.get(n, [])) for n in ("blue", "green")) and kinds >= {"plan", "rollout", "guard"}

        wait_until(charted, 40, "the history to hold both slots and every kind of event")
        result = run_chromium(tmp_path, f"http://127.0.0.1:{server.port}/", "--dump-dom")
        screenshot = tmp_path / "status-phone.png"
        shot = run_chromium(tmp_path, f"http://127.0.0.1:{server.port}/", f"--screenshot={screenshot}", "--window-size=390,2200")
        wide = tmp_path / "status-wide.png"
        run_chromium(tmp_path, f"http://127.0.0.1:{server.port}/", f"--screenshot={wide}", "--window-size=1300,1500")
    finally:
        traffic.stop()
    assert traffic.failures == []
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    raw = re.search(r'<pre id="raw"[^>]*>(.*?)</pre>', dom, re.S)
    assert raw and raw.group(1), dom[:2000]
    drawn = json.loads(html.unescape(raw.group(1)))
    history = drawn["history"]
    shown = fields(dom)

    # Each chart's latest point per slot is the last value of the history it was drawn from.
    charts = {"rate": ("requests_per_second", lambda v: f"{v:.1f}"), "p99": ("p99_ms", lambda v: f"{v:.2f}"),
              "errors": ("error_rate", lambda v: f"{v * 100:.1f} %")}
    for chart, (key, form) in charts.items():
        for slot in history["slots"]:
            value = latest(slot[key])
            assert shown[f"chart.{chart}.{slot['name']}"] == ("–" if value is None else form(value)), (chart, slot["name"])
            # The line is drawn, and ends where the legend says.
            path = re.search(rf'<path [^>]*data-series="{slot["name"]}"[^>]*data-latest="([^"]*)"', dom.split(f'data-chart="{chart}"')[1])
            assert path and path.group(1) == shown[f"chart.{chart}.{slot['name']}"]
    assert {s["name"] for s in history["slots"]} == {"blue", "green"}
    assert history["shadow"]["slot"] == "green"
    agreement = latest(history["shadow"]["agreement"])
    assert agreement is not None and agreement < 1
    assert shown["chart.agreement.green"] == f"{agreement * 100:.2f} %"

    # Plan changes, rollout steps and the guard's trip are marked on every chart's time axis.
    for chart in ("rate", "p99", "errors", "agreement"):
        svg = dom.split(f'data-chart="{chart}"')[1].split("</svg>")[0]
        marked = set(re.findall(r'<g data-event="(\w+)"', svg))
        assert marked >= {"plan", "rollout", "guard"}, (chart, marked)
    labels = [e["label"] for e in history["events"]]
    assert any(label.startswith("rollout: green step 1 at 20 %") for label in labels), labels
    assert any(label.startswith("guard: green → blue") for label in labels), labels

    # An independent /status holds the same points for the intervals the page drew.
    now = server.status()["history"]
    for slot in history["slots"]:
        mine = next(s for s in now["slots"] if s["name"] == slot["name"])
        by_end = dict(zip(now["ends"], mine["requests_per_second"]))
        for end, value in zip(history["ends"], slot["requests_per_second"]):
            if end in by_end:
                assert by_end[end] == value

    # The phone-sized screenshot was taken; keep it for a person to look at when asked.
    assert shot.returncode == 0, shot.stderr[-2000:]
    width, height = png_size(screenshot)
    assert width == 390 and height == 2200
    keep = os.environ.get("HOTSWAP_SCREENSHOT_DIR")
    if keep:
        shutil.copy(screenshot, os.path.join(keep, "status-phone.png"))
        shutil.copy(wide, os.path.join(keep, "status-wide.png"))
