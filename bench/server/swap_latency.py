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
            link = config.with_name("active.toml.link")
            os.symlink("..data/active.toml", link)
            os.replace(link, config)

    def save(self, text: str) -> None:
        if self.pattern == "rename":
            temporary = self.config.with_name(".active.toml.tmp")
            temporary.write_text(text)
            os.replace(temporary, self.config)
        elif self.pattern == "in-place":
            with open(self.config, "w") as file:
                file.write(text)
        elif self.pattern == "delete-create":
            self.config.unlink()
            with open(self.config, "x") as file:
                file.write(text)
        else:
            self._publish(text)

    def _publish(self, text: str) -> None:
        folder = self.config.parent
        self.generation += 1
        stamp = folder / f"..bench{self.generation:06}"
        stamp.mkdir()
        (stamp / "active.toml").write_text(text)
        os.symlink(stamp.name, folder / "..data_tmp")
        os.replace(folder / "..data_tmp", folder / "..data")
        previous = folder / f"..bench{self.generation - 1:06}"
        if previous.exists():
            shutil.rmtree(previous)


def swap_latency(port: int, config: pathlib.Path, render, swaps: int, interval: float, pattern: str) -> list[float]:
    """Milliseconds from each save to the first /health answered by the new slot; `render(blue,
    green)` is the config text with those weights."""
    writer = ConfigWriter(config, pattern)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    results = []
    current = None
    for i in range(swaps + 1):
        target = "green" if current == "blue" else "blue"
        text = render(100 if target == "blue" else 0, 100 if target == "green" else 0)
        saved = time.monotonic()
        writer.save(text)
        while True:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.getheader("X-Hotswap-Slot") == target:
                # The first save only brings the file to a known state (and, for configmap, the layout).
                if current is not None:
                    results.append((time.monotonic() - saved) * 1000)
                break
            if time.monotonic() - saved > 5:
                raise RuntimeError(f"{pattern} swap {i} to {target} not served within 5 s")
        current = target
        if interval > 0:
            time.sleep(interval)  # The spacing between saves is the measured scenario, not a wait.
    return results
