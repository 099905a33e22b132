"""podman for the container suites: Debian 12's podman, rootful and daemonless, pointed at config
files of the test's own (`CONTAINERS_CONF`, `CONTAINERS_STORAGE_CONF`,
`CONTAINERS_REGISTRIES_CONF`) and an image store under $HOTSWAP_TEST_CACHE that is kept between
runs. The machine's global podman config and store are never read or changed.

Settings our VMs need (measured; issue #10):
- `runtime = "runc"`: crun 1.8 refuses their hybrid cgroup hierarchy.
- `default_ulimits` for nofile and nproc no higher than the runner's own: podman's defaults are
  higher, and raising a limit needs CAP_SYS_RESOURCE, which the VM does not give root (runc then
  fails with "error setting rlimit type 6: operation not permitted").
- `cgroup_manager = "cgroupfs"` and `events_logger = "file"`: PID 1 is not systemd.
- no registry: short names are refused and nothing is pulled; the base images are local
  stand-ins (stand_in_images.py).

`python tests/deploy/podman_env.py` prints the environment, so that a developer can run podman by
hand against the same store: `eval "$(python tests/deploy/podman_env.py)"; podman images`.
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import shlex
import subprocess
import sys

CACHE = pathlib.Path(os.environ.get("HOTSWAP_TEST_CACHE", "/var/cache/hotswap-tests"))
PODMAN_HOME = CACHE / "podman"
# The run root holds locks and container state that must not outlive a reboot (tmpfs).
RUN_ROOT = pathlib.Path(os.environ.get("HOTSWAP_TEST_RUNROOT", "/run/hotswap-tests/podman"))
PACKAGES = ("podman", "runc", "netavark", "aardvark-dns", "iptables")
# nproc for the containers: enough for the server's threads and curl; far below the host's limit.
CONTAINER_NPROC = 4096


class PodmanUnavailable(RuntimeError):
    """podman is missing or cannot run a container here: the container suites fail with this."""


class PodmanError(RuntimeError):
    """A podman command failed; the message holds the command and its output."""


def _containers_conf() -> str:
    _, nofile_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    _, nproc_hard = resource.getrlimit(resource.RLIMIT_NPROC)
    nofile = nofile_hard if nofile_hard != resource.RLIM_INFINITY else 1048576
    nproc = min(CONTAINER_NPROC, nproc_hard) if nproc_hard != resource.RLIM_INFINITY else CONTAINER_NPROC
    return f"""# Written by tests/deploy/podman_env.py for the container suites; see its docstring.
[containers]
default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{PODMAN_HOME}/events.log"
tmp_dir = "{RUN_ROOT}/libpod-tmp"

[network]
network_backend = "netavark"
network_config_dir = "{PODMAN_HOME}/networks"
"""


def _storage_conf() -> str:
    return f"""# Written by tests/deploy/podman_env.py: the container suites' own image store.
[storage]
driver = "overlay"
graphroot = "{PODMAN_HOME}/storage"
runroot = "{RUN_ROOT}/storage"
"""


REGISTRIES_CONF = """# Written by tests/deploy/podman_env.py: no registry is searched; short names are refused.
unqualified-search-registries = []
short-name-mode = "enforcing"
"""


def environment() -> dict[str, str]:
    """The variables that point podman (and podman-compose, which runs podman) at the suites'
    config; writes the files when their content changed."""
    config = PODMAN_HOME / "config"
    config.mkdir(parents=True, exist_ok=True)
    (PODMAN_HOME / "networks").mkdir(exist_ok=True)
    # buildah keeps `RUN --mount=type=cache` folders under $TMPDIR: here, so they survive.
    (PODMAN_HOME / "tmp").mkdir(exist_ok=True)
    files = {
        "containers.conf": _containers_conf(),
        "storage.conf": _storage_conf(),
        "registries.conf": REGISTRIES_CONF,
    }
    for name, text in files.items():
        path = config / name
        if not path.exists() or path.read_text() != text:
            partial = path.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(text)
            partial.replace(path)
    return {
        "CONTAINERS_CONF": str(config / "containers.conf"),
        "CONTAINERS_STORAGE_CONF": str(config / "storage.conf"),
        "CONTAINERS_REGISTRIES_CONF": str(config / "registries.conf"),
        "TMPDIR": str(PODMAN_HOME / "tmp"),
    }


def _missing_packages() -> list[str]:
    missing = []
    for package in PACKAGES:
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
        ).stdout
        if "install ok installed" not in status:
            missing.append(package)
    return missing


def _ensure_installed() -> None:
    missing = _missing_packages()
    if not missing:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
            check=True, env=env, capture_output=True, timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise PodmanUnavailable(
            f"{' '.join(missing)} missing and could not be installed ({error}); "
            f"install Debian's {' '.join(PACKAGES)} (scripts/deps.sh does)"
        ) from error


class Podman:
    """Runs podman (and podman-compose) with the suites' environment."""

    def __init__(self, env: dict[str, str]):
        self.env = env

    def process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """os.environ plus the podman variables plus `extra`."""
        return {**os.environ, **self.env, **(extra or {})}

    def run(self, *args: str, timeout: float = 120, check: bool = True, input: str | None = None):
        """`podman ARGS`; raises PodmanError with the output when it fails and `check` is set."""
        command = ["podman", *args]
        result = subprocess.run(
            command, env=self.process_env(), capture_output=True, text=True, timeout=timeout, input=input
        )
        if check and result.returncode != 0:
            raise PodmanError(
                f"{shlex.join(command)} exited {result.returncode}:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
            )
        return result

    def output(self, *args: str, timeout: float = 120) -> str:
        """stdout of `podman ARGS`, stripped."""
        return self.run(*args, timeout=timeout).stdout.strip()

    def inspect(self, kind: str, name: str) -> dict:
        """`podman KIND inspect NAME` as a dict."""
        (only,) = json.loads(self.output(kind, "inspect", name))
        return only

    def exists(self, kind: str, name: str) -> bool:
        """Whether the image, container or volume NAME exists."""
        return self.run(kind, "exists", name, check=False).returncode == 0


def podman() -> Podman:
    """A checked Podman: installed, configured, and able to report on its store. Raises
    PodmanUnavailable with the reason otherwise."""
    _ensure_installed()
    handle = Podman(environment())
    try:
        info = json.loads(handle.output("info", "--format", "json", timeout=120))
    except (PodmanError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
        raise PodmanUnavailable(f"podman cannot run here: {error}") from error
    runtime = info["host"]["ociRuntime"]["name"]
    if runtime != "runc":
        raise PodmanUnavailable(f"podman picked the runtime {runtime!r}, not runc: is CONTAINERS_CONF honoured?")
    return handle


if __name__ == "__main__":
    for key, value in environment().items():
        print(f"export {key}={shlex.quote(value)}")
    sys.exit(0)
