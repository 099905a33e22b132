"""1 000 saves in a burst, in every write pattern (rename, in place, delete + create, a mix, and a
Kubernetes ConfigMap `..data` swap): the server ends on exactly the final content, and never
applies a half-written file (the back-to-back-saves issue).

Every saved content is a valid plan whose every strict prefix is invalid (the green slot and its
model path come last, and the text ends inside the path's quotes), so a read that catches a save
mid-write is rejected, never applied. The audit trail then shows what was applied: only complete
contents, ending with the last."""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest
from file_attacks import sha256, status
from process_support import wait_until

SAVES = 1_000


def content(repo: pathlib.Path, index: int) -> str:
    models = repo / "models" / "iris"
    return (
        f'[server]\nmodel_name = "iris"\n[traffic]\nblue = {index + 1}\ngreen = {SAVES - index}\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n'
        f'[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"'
    )


def write_in_place(path: pathlib.Path, text: str) -> None:
    # Two writes: a reader may see the first half alone.
    data = text.encode()
    with open(path, "wb") as file:
        file.write(data[: len(data) // 2])
        file.flush()
        file.write(data[len(data) // 2:])


def rename(path: pathlib.Path, text: str) -> None:
    temporary = path.with_name(".active.toml.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def delete_create(path: pathlib.Path, text: str) -> None:
    path.unlink()
    write_in_place(path, text)


class ConfigMap:
    """The kubelet's layout and update: `active.toml -> ..data/active.toml`, `..data -> ..<n>`;
    an update writes `..<n+1>/active.toml`, points `..data_tmp` at it, renames that over `..data`
    and removes `..<n>`."""

    def __init__(self, config: pathlib.Path, text: str):
        self.folder = config.parent
        self.generation = 0
        self._publish(text)
        link = self.folder / "active.toml.link"
        os.symlink("..data/active.toml", link)
        os.replace(link, config)

    def _publish(self, text: str) -> None:
        self.generation += 1
        stamp = self.folder / f"..{self.generation:06}"
        stamp.mkdir()
        (stamp / "active.toml").write_text(text)
        os.symlink(stamp.name, self.folder / "..data_tmp")
        os.replace(self.folder / "..data_tmp", self.folder / "..data")
        if self.generation > 1:
            shutil.rmtree(self.folder / f"..{self.generation - 1:06}")

    def save(self, _path: pathlib.Path, text: str) -> None:
        self._publish(text)


PATTERNS = {
    "rename": [rename],
    "in place": [write_in_place],
    "delete and create": [delete_create],
    "mixed": [rename, write_in_place, delete_create],
}


def applied_entries(server) -> list[dict]:
    history = server.state / "history.jsonl"
    lines = history.read_text().splitlines() if history.exists() else []
    return [entry for entry in map(json.loads, lines) if entry["result"] == "applied"]


@pytest.mark.parametrize("pattern", [*PATTERNS, "configmap"])
def test_a_burst_of_saves_ends_on_the_final_content_and_applies_no_half_written_file(launch, repo_root, pattern):
    server = launch(content(repo_root, -1))
    texts = [content(repo_root, index) for index in range(SAVES)]
    complete = {sha256(text) for text in texts} | {sha256(content(repo_root, -1))}
    if pattern == "configmap":
        config_map = ConfigMap(server.config, content(repo_root, -1))
        writers = [config_map.save]
    else:
        writers = PATTERNS[pattern]
    for index, text in enumerate(texts):
        writers[index % len(writers)](server.config, text)

    final = sha256(texts[-1])
    wait_until(lambda: status(server)["last_change"]["config_sha256"] == final, 30, "the final content applied")
    served = status(server)
    assert [slot["share"] for slot in served["slots"]] == [SAVES / (SAVES + 1), 1 / (SAVES + 1)]
    # The audit trail is written in the background: wait for the final entry, then check them all.
    entries = wait_until(
        lambda: (entries := applied_entries(server)) and entries[-1]["config_sha256"] == final and entries,
        10, "the final entry in the history",
    )
    half_written = [entry for entry in entries if entry["config_sha256"] not in complete]
    assert not half_written, f"applied contents that were never saved whole: {half_written[:3]}"
    print(f"{pattern}: {SAVES} saves, {len(entries) - 1} applied, {served['reloads']['rejected']} rejected reads")
    server.assert_serving()
