"""A Debian 12 machine with a real systemd as PID 1: systemd-nspawn boots an unpacked copy of a
cached debootstrap rootfs (tests/deploy/rootfs.py). Commands run inside through nsenter; host
tools (python, curl, ss) run in the machine's private network namespace only, so a test reaches
the service at the machine's own 127.0.0.1.

Facts measured on these hosts, whose PID 1 is not systemd: nspawn needs `--register=no
--keep-unit` (no machined to register with, no unit of its own), a fresh cgroup of its own on
both the unified and the named systemd hierarchy (it refuses the root cgroup), the environment
variable SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 and `--private-network`. A boot to
`multi-user.target` takes about a second."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from rootfs import bookworm_rootfs, unpack

# Packages of the booted machine: systemd as PID 1 and the D-Bus broker `systemd-analyze
# security` needs; nothing else. Neither Swift nor a compiler nor make: what a test needs beyond
# this comes from a local repository of Debian packages (apt_repository.py).
BOX_PACKAGES = ("systemd", "systemd-sysv", "dbus")
CGROUP = pathlib.Path("/sys/fs/cgroup")
WORK = pathlib.Path(os.environ.get("HOTSWAP_NSPAWN_WORK", "/var/tmp"))


class MachineUnavailable(RuntimeError):
    """This host cannot boot a systemd-nspawn machine; the message says why."""


def require_nspawn() -> None:
    """Fails with the reason when this host lacks what the suite needs (never a silent skip)."""
    missing = [tool for tool in ("systemd-nspawn", "nsenter", "debootstrap") if shutil.which(tool) is None]
    if missing:
        raise MachineUnavailable(
            f"{', '.join(missing)} missing: install systemd-container, util-linux and debootstrap "
            "(scripts/deps.sh does) — the deployment suites need a real systemd in an nspawn machine"
        )
    if os.geteuid() != 0:
        raise MachineUnavailable("systemd-nspawn needs root: run the deployment suites as root (CI does)")


def cgroup_roots() -> list[pathlib.Path]:
    """Where nspawn gets its fresh cgroups: the unified and the named systemd hierarchy on a hybrid
    host (this one), the root on a pure cgroup v2 host."""
    hybrid = [CGROUP / "unified", CGROUP / "systemd"]
    roots = [root for root in hybrid if (root / "cgroup.procs").exists()]
    if roots:
        return roots
    if (CGROUP / "cgroup.controllers").exists():
        return [CGROUP]
    raise MachineUnavailable(f"no cgroup hierarchy nspawn can use under {CGROUP}")


class Machine:
    """One booted machine. `run()` executes inside it (all namespaces), `host()` runs a host
    program in its network namespace. `stop()` powers it off and removes its files."""

    def __init__(self, name: str = "hotswap", bind_ro: tuple[tuple[str, str], ...] = ()):
        require_nspawn()
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix=f"hotswap-nspawn-{name}-", dir=WORK))
        self.root = unpack(bookworm_rootfs("box", include=BOX_PACKAGES), self.directory / "root")
        self.log_path = self.directory / "nspawn.log"
        self.cgroups = [base / self.name for base in cgroup_roots()]
        for cgroup in self.cgroups:
            cgroup.mkdir()
        binds = [f"--bind-ro={source}:{target}" for source, target in bind_ro]
        # The shell moves itself into the fresh cgroups, then becomes nspawn (same pid).
        enter = "; ".join(f"echo $$ > {cgroup}/cgroup.procs" for cgroup in self.cgroups)
        command = [
            "bash", "-c", f'{enter}; exec "$@"', "nspawn",
            "systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "--private-network",
            "--console=passive", f"--machine={self.name}", f"--directory={self.root}", *binds, "--boot",
        ]
        self._log = open(self.log_path, "wb")
        self.nspawn = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(os.environ, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY="1"),
        )
        self.leader = 0
        try:
            self.leader = self._wait_for_leader(timeout=30)
            self._wait_until_booted(timeout=90)
        except BaseException:
            self.stop()
            raise

    # -- lifecycle -------------------------------------------------------------------------------

    def _wait_for_leader(self, timeout: float) -> int:
        """The pid of the machine's systemd: nspawn's only child."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.nspawn.poll() is not None:
                raise MachineUnavailable(f"systemd-nspawn exited with {self.nspawn.returncode}:\n{self.log()}")
            children = pathlib.Path(f"/proc/{self.nspawn.pid}/task/{self.nspawn.pid}/children")
            pids = children.read_text().split() if children.exists() else []
            if pids and pathlib.Path(f"/proc/{pids[0]}/comm").read_text().strip() == "systemd":
                return int(pids[0])
            time.sleep(0.05)
        raise MachineUnavailable(f"systemd-nspawn started no systemd within {timeout}s:\n{self.log()}")

    def _wait_until_booted(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            if self.nspawn.poll() is not None:
                raise MachineUnavailable(f"the machine stopped while booting:\n{self.log()}")
            state = self.run(["systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                if state == "degraded":
                    failed = self.run(["systemctl", "--failed", "--no-pager"], check=False).stdout
                    raise MachineUnavailable(f"the machine booted degraded:\n{failed}")
                return
            time.sleep(0.1)
        raise MachineUnavailable(f"the machine did not finish booting in {timeout}s (state {state!r}):\n{self.log()}")

    def log(self) -> str:
        """What nspawn printed (the machine's console)."""
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Powers the machine off (SIGRTMIN+3 to its systemd), kills nspawn by pid if it hangs,
        and removes the machine's files and cgroups."""
        if self.nspawn.poll() is None:
            try:
                if not self.leader:
                    raise ProcessLookupError
                os.kill(self.leader, signal.SIGRTMIN + 3)
                self.nspawn.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.nspawn.kill()
                self.nspawn.wait(timeout=30)
        self._log.close()
        for cgroup in self.cgroups:
            if cgroup.exists():
                for path in sorted(cgroup.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                    if path.is_dir():
                        path.rmdir()
                cgroup.rmdir()
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- running things --------------------------------------------------------------------------

    def run(self, argv: list[str], check: bool = True, timeout: float = 120, input: str | None = None):
        """`argv` inside the machine (its mounts, pids, network, hostname); output as text."""
        result = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-m", "-u", "-i", "-n", "-p", "-C", "--", *argv],
            capture_output=True, text=True, timeout=timeout, input=input,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "SYSTEMD_COLORS": "0"},
        )
        if check and result.returncode != 0:
            raise AssertionError(f"in the machine, {argv} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result

    def host(self, argv: list[str], check: bool = True, timeout: float = 120, **kwargs):
        """A host program run in the machine's network namespace (its loopback is the machine's)."""
        result = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-n", "--", *argv],
            capture_output=True, text=True, timeout=timeout, **kwargs,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} in the machine's network exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result

    def host_popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """Like `host`, in the background."""
        return subprocess.Popen(["nsenter", "-t", str(self.leader), "-n", "--", *argv], **kwargs)

    def path(self, inside: str) -> pathlib.Path:
        """The host path of a file inside the machine."""
        return self.root / inside.lstrip("/")

    # -- systemd ---------------------------------------------------------------------------------

    def systemctl(self, *args: str, check: bool = True):
        return self.run(["systemctl", "--no-pager", *args], check=check)

    def property(self, unit: str, name: str) -> str:
        return self.systemctl("show", "-P", name, unit).stdout.strip()

    def journal(self, unit: str = "hotswap.service", since_cursor: str | None = None) -> str:
        argv = ["journalctl", "--no-pager", "-o", "short-iso", "-u", unit]
        if since_cursor:
            argv.append(f"--after-cursor={since_cursor}")
        return self.run(argv, check=False).stdout

    def cursor(self) -> str:
        """The journal's current position, to read only what comes after it."""
        out = self.run(["journalctl", "--no-pager", "-n", "0", "--show-cursor"], check=False).stdout
        return out.strip().rsplit("-- cursor: ", 1)[-1].strip()

    def wait_for(self, predicate, timeout: float, what: str, interval: float = 0.1):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
