"""Swap-to-effect latency for bench_server.py: the time from a save of conf/active.toml (flipping
100 % between blue and green) to the first /health answered by the new slot, in each way users
save the file. With `interval` 0 every save follows the previous one's effect at once
(back-to-back saves: a deploy script's switch-then-canary); the default spaces them out."""

from __future__ import annotations

import http.client
import os
import pathlib
import shutil
import time

PATTERNS = ("rename", "in-place", "delete-create", "configmap")


class ConfigWriter:
    """Saves the config one way. `configmap` first turns the file into the kubelet's layout
    (`active.toml -> ..data/active.toml`, `..data -> ..<n>`) and then swaps `..data`."""

    def __init__(self, config: pathlib.Path, pattern: str):
        self.config = config
        self.pattern = pattern
        self.generation = 0
        if pattern == "configmap" and not config.is_symlink():
            text = config.read_text()
            self._publish(text)
            self.clean_up()
            link = config.with_name("active.toml.link")
            os.symlink("..data/active.toml", link)
            os.replace(link, config)

    def save(self, text: str) -> float:
        """Saves `text`; returns the monotonic time the new content was in place (the rename or
        the writer's close had returned)."""
        if self.pattern == "rename":
            temporary = self.config.with_name(".active.toml.tmp")
            temporary.write_text(text)
            os.replace(temporary, self.config)
            return time.monotonic()
        if self.pattern in ("in-place", "delete-create"):
            if self.pattern == "delete-create":
                self.config.unlink()
            with open(self.config, "w" if self.pattern == "in-place" else "x") as file:
                file.write(text)
            return time.monotonic()
        return self._publish(text)

    def _publish(self, text: str) -> float:
        folder = self.config.parent
        self.generation += 1
        stamp = folder / f"..bench{self.generation:06}"
        stamp.mkdir()
        (stamp / "active.toml").write_text(text)
        os.symlink(stamp.name, folder / "..data_tmp")
        os.replace(folder / "..data_tmp", folder / "..data")
        return time.monotonic()

    def clean_up(self) -> None:
        """After the effect was seen: the kubelet removes the previous generation after the swap;
        done here so the removal's time is not counted as the server's."""
        if self.pattern == "configmap":
            previous = self.config.parent / f"..bench{self.generation - 1:06}"
            if previous.exists():
                shutil.rmtree(previous)


class SwapTimes:
    """Per swap, in milliseconds: from the start of the save to the first /health answered by the
    new slot (`from_start`, what the writer sees), from the moment the new content was in place
    to that answer (`from_content`, the server's part), and the writer's own time (`writer`:
    ext4 flushes a file's data when it replaces another by rename or is rewritten after a
    truncate — auto_da_alloc — so a save itself can take milliseconds on a busy disk)."""

    def __init__(self) -> None:
        self.from_start: list[float] = []
        self.from_content: list[float] = []
        self.writer: list[float] = []


def swap_latency(port: int, writer: ConfigWriter, render, swaps: int, interval: float, results: SwapTimes) -> None:
    """Times `swaps` saves by `writer`, each to the first /health answered by the new slot, into
    `results` (see ``SwapTimes``); `render(blue, green)` is the config text with those weights."""
    pattern = writer.pattern
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    current = None
    for i in range(swaps + 1):
        target = "green" if current == "blue" else "blue"
        text = render(100 if target == "blue" else 0, 100 if target == "green" else 0)
        saved = time.monotonic()
        in_place = writer.save(text)
        written = time.monotonic()
        while True:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.getheader("X-Hotswap-Slot") == target:
                # The first save only brings the file to a known state (and, for configmap, the layout).
                if current is not None:
                    answered = time.monotonic()
                    results.from_start.append((answered - saved) * 1000)
                    results.from_content.append((answered - in_place) * 1000)
                    results.writer.append((written - saved) * 1000)
                writer.clean_up()
                break
            if time.monotonic() - saved > 5:
                raise RuntimeError(f"{pattern} swap {i} to {target} not served within 5 s")
        current = target
        if interval > 0:
            time.sleep(interval)  # The spacing between saves is the measured scenario, not a wait.
    conn.close()
