"""Reads the shell blocks of the README and docs, and runs their commands the way they are
written against a live server. The only rewrites are the port (`127.0.0.1:8080` → the test's free
port, since 8080 may be taken) and the binary's folder (`.build/release/` → the suite's build)."""

from __future__ import annotations

import dataclasses
import pathlib
import re
import subprocess

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


@dataclasses.dataclass
class Command:
    """One documented command line, its trailing `# …` comment, and the `# …` lines shown right
    after it as its output."""

    shell: str
    comment: str
    expected: list[str]
    line: int


def blocks(document: pathlib.Path, language: str | None = "sh") -> list[tuple[int, str]]:
    """(line number, text) of every fenced block of `language` (None: every block)."""
    text = document.read_text()
    found = []
    for match in FENCE.finditer(text):
        if language is None or match.group(1) == language:
            found.append((text[: match.start()].count("\n") + 2, match.group(2)))
    return found


def block_containing(document: pathlib.Path, needle: str, language: str | None = "sh") -> tuple[int, str]:
    """The one block of `document` whose text contains `needle`."""
    matches = [(line, text) for line, text in blocks(document, language) if needle in text]
    assert len(matches) == 1, f"{document}: expected one block containing {needle!r}, found {len(matches)}"
    return matches[0]


def split_comment(line: str) -> tuple[str, str]:
    """`cmd   # comment` → (cmd, comment); a `#` inside quotes is not a comment."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip(), line[index + 1 :].strip()
    return line.rstrip(), ""


def commands(block: tuple[int, str]) -> list[Command]:
    """The commands of a block; `# …` lines after a command are its shown output."""
    start, text = block
    found: list[Command] = []
    for offset, raw in enumerate(text.splitlines()):
        if not raw.strip():
            continue
        if raw.lstrip().startswith("#"):
            if found:
                found[-1].expected.append(raw.lstrip()[1:].strip())
            continue
        shell, comment = split_comment(raw)
        found.append(Command(shell, comment, [], start + offset))
    return found


def pattern(expected: str) -> re.Pattern:
    """A documented output line as a pattern: `{...}`, `...` and `…` stand for anything."""
    parts = re.split(r"(\{\.\.\.\}|\.\.\.|…)", expected)
    return re.compile("".join(".*?" if part in ("{...}", "...", "…") else re.escape(part) for part in parts) + r"\Z")


class Shell:
    """Runs documented commands in a folder laid out like the repository."""

    def __init__(self, cwd: pathlib.Path, port: int, bin_dir: pathlib.Path):
        self.cwd = cwd
        self.port = port
        self.bin_dir = bin_dir

    def rewrite(self, text: str) -> str:
        return text.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}").replace(
            ".build/release/", f"{self.bin_dir}/"
        )

    def run(self, command: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", self.rewrite(command)],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def check_output(self, command: Command) -> str:
        """Runs `command`, asserts exit 0 and that its output shows what the docs show."""
        result = self.run(command.shell)
        where = f"documented command at line {command.line}: {command.shell}"
        assert result.returncode == 0, f"{where}\nexit {result.returncode}\n{result.stdout}{result.stderr}"
        if command.expected:
            shown = [line.strip() for line in result.stdout.strip().splitlines()]
            wanted = [self.rewrite(line) for line in command.expected]
            status = re.match(r"(\d{3}) (.*)", wanted[0]) if command.shell.startswith("curl") else None
            if status:
                # The docs' convention for an error: `# 400 {"error": …}` is the status, then the body.
                code = self.run(command.shell + " -s -o /dev/null -w '%{http_code}'").stdout
                assert code == status.group(1), f"{where}\nthe docs show status {status.group(1)}, it answered {code}"
                wanted[0] = status.group(2)
            assert len(shown) == len(wanted), f"{where}\nthe docs show:\n{wanted}\nit printed:\n{shown}"
            for printed, documented in zip(shown, wanted):
                assert pattern(documented).match(printed), f"{where}\nthe docs show: {documented}\nit printed:   {printed}"
        return result.stdout
