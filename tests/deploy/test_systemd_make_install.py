"""`make install` on a real systemd: a clean Debian 12 machine (systemd-nspawn) gets the runtime
libraries the package names and `make`, then the operator's steps from docs/operations.md —
`make install` with the prebuilt static binary, `systemctl enable --now hotswap.socket
hotswap.service` — and the service must start, answer, and stop cleanly."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import apt_repository
import hotswap_release
from hotswap_release import REPO
from nspawn import Machine, MachineUnavailable
from systemd_box import Box

# The first test also waits for a cold debootstrap (minutes on a loaded machine).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def box(release_binary, hotswap_deb):
    depends = subprocess.run(
        ["dpkg-deb", "-f", str(hotswap_deb), "Depends"], capture_output=True, text=True, check=True
    ).stdout
    libraries = [entry.split()[0] for entry in re.split(r",\s*", depends.strip()) if entry.split()[0] != "adduser"]
    binds = (
        (str(REPO), "/srv/hotswap-src"),
        (str(release_binary.parent), "/srv/hotswap-bin"),
        (str(hotswap_release.manpage().parent), "/srv/hotswap-man"),
    )
    try:
        machine = Machine("make-install", bind_ro=binds)
    except MachineUnavailable as error:
        pytest.fail(f"no systemd machine on this host: {error}", pytrace=False)
    try:
        apt_repository.fill(machine.root, ["make", *libraries])
        machine.run(["apt-get", "-q", "update"], timeout=120)
        machine.run(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q", "install", "make", *libraries], timeout=300)
        yield Box(machine, sys.executable)
    finally:
        machine.stop()


def test_make_install_then_start_answer_and_stop(box):
    machine = box.machine
    install = machine.run(
        ["make", "-C", "/srv/hotswap-src", "--no-print-directory", "install",
         "HOTSWAP_BINARY=/srv/hotswap-bin/hotswap", "MANPAGE=/srv/hotswap-man/hotswap.1"],
        timeout=300,
    )
    assert "start with: systemctl enable --now hotswap.socket hotswap.service" in install.stdout
    assert machine.path("/usr/local/share/man/man1/hotswap.1").is_file()
    assert machine.run(["id", "-u", "hotswap"]).returncode == 0
    machine.systemctl("enable", "--now", "hotswap.socket", "hotswap.service")
    box.wait_active()
    assert box.service("ExecStart").count("/usr/local/bin/hotswap serve") == 1
    assert "generation 1" in box.service("StatusText")
    code, body = box.http("POST", "/predict", '{"features":[5.1,3.5,1.4,0.2]}')
    assert code == 200 and json.loads(body)["slot"] == "blue", body
    models = {slot["model"] for slot in box.status()["slots"]}
    assert all(model.startswith("/usr/local/share/hotswap/models/") for model in models), models
    cursor = machine.cursor()
    machine.systemctl("stop", "hotswap.service", "hotswap.socket")
    assert box.service("Result") == "success" and box.service("ExecMainStatus") == "0"
    assert "shutting down" in machine.journal(since_cursor=cursor)
    machine.run(["make", "-C", "/srv/hotswap-src", "--no-print-directory", "uninstall"], timeout=120)
    assert not machine.path("/usr/local/bin/hotswap").exists()
    assert machine.path("/etc/hotswap/active.toml").exists(), "uninstall keeps the operator's config"
