"""systemd/hotswap.service and hotswap.socket: the keys the issue asks for, systemd's own offline
checks, and the hardening score."""

import re
import shutil
import subprocess

import pytest

ANALYZE = shutil.which("systemd-analyze")


def parse_unit(path):
    """A unit file as {section: {key: [values...]}} (systemd allows repeated keys)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path}: key outside a section: {line}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture(scope="module")
def service(repo_root):
    return parse_unit(repo_root / "systemd" / "hotswap.service")


@pytest.fixture(scope="module")
def socket_unit(repo_root):
    return parse_unit(repo_root / "systemd" / "hotswap.socket")


def one(unit, section, key):
    values = unit[section].get(key)
    assert values, f"[{section}] {key}= is missing"
    return values[-1]


@pytest.mark.parametrize(
    "key, expected",
    [
        ("Type", "notify"),
        ("NotifyAccess", "main"),
        ("Restart", "on-failure"),
        ("ExecReload", '/bin/sh -c "kill -HUP ${MAINPID}"'),
        ("StateDirectory", "hotswap"),
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("User", "hotswap"),
    ],
)
def test_service_key(service, key, expected):
    assert one(service, "Service", key) == expected


def test_service_checks_the_config_it_serves(service):
    pre = one(service, "Service", "ExecStartPre").split()
    start = one(service, "Service", "ExecStart").split()
    assert pre[0] == start[0] == "/usr/local/bin/hotswap"
    assert pre[1] == "check" and start[1] == "serve"
    config = start[start.index("--config") + 1]
    assert pre[2] == config == "/etc/hotswap/active.toml"


def test_watchdog_is_enabled(service):
    match = re.fullmatch(r"(\d+)s", one(service, "Service", "WatchdogSec"))
    assert match and 1 <= int(match.group(1)) <= 60


def test_config_is_read_only_and_history_writable(service):
    read_only = " ".join(service["Service"]["ReadOnlyPaths"]).split()
    assert "/etc/hotswap" in read_only
    environment = " ".join(service["Service"]["Environment"])
    assert "HOTSWAP_STATE_DIRECTORY=%S/hotswap" in environment
    # Nothing is bind-mounted from inside the state directory: models do not live there.
    assert not [path for path in read_only if "/var/lib/hotswap/" in path]


def test_socket_and_bundled_config_agree_on_the_address(service, socket_unit, repo_root):
    assert "hotswap.socket" in one(service, "Unit", "Requires")
    assert "hotswap.socket" in one(service, "Unit", "After")
    assert one(socket_unit, "Socket", "Service") == "hotswap.service"
    assert one(socket_unit, "Socket", "Backlog") == "1024"
    bundled = (repo_root / "conf" / "active.toml").read_text()
    listen = re.search(r'^listen\s*=\s*"([^"]*)"', bundled, re.M).group(1)
    # Loopback in both (docs/operations.md: serving the LAN is a choice the operator makes).
    assert listen == "127.0.0.1:8080"
    assert one(socket_unit, "Socket", "ListenStream") == listen


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is missing (scripts/deps.sh installs it)")
def test_security_exposure_is_at_most_1_5(repo_root):
    out = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(repo_root / "systemd" / "hotswap.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for hotswap\.service: (\d+\.\d+)", out.stdout + out.stderr)
    assert match, out.stdout + out.stderr
    assert float(match.group(1)) <= 1.5, out.stdout


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is missing (scripts/deps.sh installs it)")
def test_units_verify_cleanly(repo_root, tmp_path):
    # `verify` checks that executables exist; point them at /bin/true, keep everything else.
    for name in ("hotswap.service", "hotswap.socket"):
        text = (repo_root / "systemd" / name).read_text().replace("/usr/local/bin/hotswap", "/bin/true")
        (tmp_path / name).write_text(text)
    out = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(tmp_path / "hotswap.service"), str(tmp_path / "hotswap.socket")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout + out.stderr == "", out.stdout + out.stderr
