"""docs/config.md's examples, checked against what `hotswap check` really prints for them."""

from __future__ import annotations

import shutil
import subprocess

from documented_commands import block_containing, pattern
from process_support import service_directory


def test_the_error_example_is_what_check_prints_for_the_complete_example_with_two_mistakes(repo_root, bin_dir):
    document = repo_root / "docs" / "config.md"
    _, example = block_containing(document, "# conf/active.toml — save it", language="toml")
    _, shown = block_containing(document, "unknown key 'listne'", language="")
    lines = example.splitlines()
    listen = next(i for i, line in enumerate(lines) if line.startswith("listen = "))
    green = next(i for i, line in enumerate(lines) if line.startswith("green = "))
    lines[listen] = lines[listen].replace("listen", "listne", 1)
    lines[green] = "green = -5"
    root = service_directory("hotswap-docs-config-")
    try:
        (root / "conf").mkdir()
        (root / "models").symlink_to(repo_root / "models")
        (root / "conf" / "active.toml").write_text("\n".join(lines) + "\n")
        result = subprocess.run(
            [str(bin_dir / "hotswap"), "check", "conf/active.toml"], cwd=root, capture_output=True, text=True, timeout=60
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert result.returncode != 0
    printed = [line for line in result.stderr.splitlines() if "check failed" not in line]
    documented = shown.strip().splitlines()
    assert len(printed) == len(documented), (documented, result.stderr)
    for line, example_line in zip(printed, documented):
        assert pattern(example_line).match(line), f"docs/config.md shows {example_line!r}, check printed {line!r}"
