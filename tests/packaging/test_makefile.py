"""The Makefile: every target the issue names exists, `run` and `test` are the README's two
commands, and `make install` lays an edge box out as the systemd unit expects."""

import re
import subprocess

import pytest
from process_support import as_service_user

TARGETS = [
    "build", "run", "test", "test-deploy", "bench", "bench-quick", "models", "man", "deb", "install", "format", "lint",
    "compose-up", "compose-nginx",
]


def make(repo_root, *args, check=True):
    out = subprocess.run(["make", "--no-print-directory", *args], cwd=repo_root, capture_output=True, text=True, timeout=120)
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_target_exists(repo_root, target):
    out = make(repo_root, "-n", target, "HOTSWAP_BINARY=/bin/true")
    assert out.stdout.strip()


@pytest.mark.parametrize("target, command", [("run", "scripts/run.sh"), ("test", "scripts/test.sh")])
def test_readme_commands(repo_root, target, command):
    assert make(repo_root, "-n", target).stdout.split() == [command]


def test_help_lists_every_target(repo_root):
    listed = {line.split()[0] for line in make(repo_root, "help").stdout.splitlines() if line.strip()}
    assert set(TARGETS) <= listed


def one_value(unit, key):
    (value,) = re.findall(rf"^{key}=(.*)$", unit.read_text(), re.M)
    return value


def install(repo_root, root, binary, *extra):
    make(repo_root, "install", f"DESTDIR={root}", f"HOTSWAP_BINARY={binary}", "SYSTEMCTL=true", *extra)


def test_install_layout(repo_root, tmp_path):
    binary = tmp_path / "hotswap-binary"
    binary.write_text("#!/bin/sh\n")
    root = tmp_path / "root"
    install(repo_root, root, binary)
    assert (root / "usr/local/bin/hotswap").stat().st_mode & 0o111
    for unit in ("hotswap.service", "hotswap.socket"):
        assert (root / "etc/systemd/system" / unit).read_text() == (repo_root / "systemd" / unit).read_text()
    documentation = one_value(root / "etc/systemd/system/hotswap.service", "Documentation").split()
    assert documentation[0] == "man:hotswap(1)"
    operations = documentation[1].removeprefix("file:")
    assert (root / operations.lstrip("/")).read_text() == (repo_root / "docs/operations.md").read_text()
    config = (root / "etc/hotswap/active.toml").read_text()
    assert re.search(r'^state_directory = "/var/lib/hotswap"$', config, re.M), config
    models = re.findall(r'model\s*=\s*"([^"]+)"', config)
    assert models
    for model in models:
        # Read-only, outside the state directory that systemd hands to the service user.
        assert model.startswith("/usr/local/share/hotswap/models/"), model
        assert (root / model.lstrip("/")).is_file(), model
    assert not (root / "var/lib/hotswap").exists()
    # A second install keeps the operator's config.
    (root / "etc/hotswap/active.toml").write_text(config + "\n# edited on the box\n")
    install(repo_root, root, binary)
    assert (root / "etc/hotswap/active.toml").read_text().endswith("# edited on the box\n")


def test_install_prefix_reaches_the_units(repo_root, tmp_path):
    binary = tmp_path / "hotswap-binary"
    binary.write_text("#!/bin/sh\n")
    root = tmp_path / "root"
    install(repo_root, root, binary, "PREFIX=/opt/hotswap")
    service = (root / "etc/systemd/system/hotswap.service").read_text()
    assert "ExecStart=/opt/hotswap/bin/hotswap serve --config /etc/hotswap/active.toml" in service
    assert "ExecStartPre=/opt/hotswap/bin/hotswap check /etc/hotswap/active.toml" in service
    assert "file:/opt/hotswap/share/doc/hotswap/operations.md" in service
    assert (root / "opt/hotswap/share/doc/hotswap/operations.md").is_file()
    assert (root / "opt/hotswap/share/hotswap/models/iris/v1.0.0/model.onnx").is_file()


def test_installed_config_passes_check(repo_root, tmp_path, bin_dir):
    root = tmp_path / "root"
    install(repo_root, root, bin_dir / "hotswap")
    config = (root / "etc/hotswap/active.toml").read_text()
    # Point the absolute box paths into the DESTDIR tree for the check.
    (tmp_path / "check.toml").write_text(
        config.replace('"/usr/local/share/hotswap/models/', f'"{root}/usr/local/share/hotswap/models/')
    )
    # As the service user, as the unit's ExecStartPre runs it.
    out = subprocess.run(
        as_service_user([str(root / "usr/local/bin/hotswap"), "check", str(tmp_path / "check.toml")]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
