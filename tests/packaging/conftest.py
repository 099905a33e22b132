"""Fixtures for the packaging suites: the bundled config made location-independent, and `hotswap`
processes that the tests start and stop by PID. The servers run as the unprivileged service user
(`nobody` when the suite runs as root), from a folder that user owns, as systemd's `User=` runs
them."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from hotswap_process import HotswapProcess
from process_support import as_service_user, hand_to_service_user, service_directory

# Set by systemd (or a test) for one process only; never inherited from the test runner.
SYSTEMD_VARIABLES = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"}


@pytest.fixture
def tmp_path():
    """Each test's folder belongs to the service user, who runs the servers: the configs, models
    and sockets a test puts there must be readable by it (pytest's own tmp folders are root's and
    0700). Removed at the end."""
    path = service_directory("hotswap-packaging-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def service_dir(tmp_path):
    """The service user's folder (the test's tmp_path): config, state, sockets."""
    return tmp_path


@pytest.fixture
def active_config(service_dir, repo_root) -> pathlib.Path:
    """conf/active.toml copied into the service folder's conf/ with its model paths made absolute.
    The test (root) may edit it; the server only reads it, as under systemd."""
    source = repo_root / "conf" / "active.toml"
    text = source.read_text()
    text = re.sub(r'"\.\./models/', f'"{repo_root}/models/', text)
    conf = service_dir / "conf"
    conf.mkdir(exist_ok=True)
    target = conf / "active.toml"
    target.write_text(text)
    target.chmod(0o644)
    return target


@pytest.fixture
def hotswap_factory(bin_dir, tmp_path, service_dir):
    """Starts `hotswap serve` processes as the service user; every one still running at the end
    is killed by PID."""
    started: list[HotswapProcess] = []
    counter = [0]
    state = service_dir / "state"
    state.mkdir(exist_ok=True)
    hand_to_service_user(state)

    def start(args, port, env=None, listen_fd=None, own_pid_env=()):
        """`hotswap ARGS`; `listen_fd` is passed as fd 3 with LISTEN_FDS=1 and LISTEN_PID (socket
        activation as systemd does it); each name in `own_pid_env` is set to the server's pid."""
        counter[0] += 1
        log_path = tmp_path / f"hotswap-{counter[0]}.log"
        full_env = {k: v for k, v in os.environ.items() if k not in SYSTEMD_VARIABLES}
        full_env["HOTSWAP_STATE_DIRECTORY"] = str(state)
        full_env.update(env or {})
        command = as_service_user([str(bin_dir / "hotswap"), *args])
        pass_fds = ()
        own_pid_env = list(own_pid_env)
        prelude = ""
        if listen_fd is not None:
            full_env["HS_INHERITED_FD"] = str(listen_fd)
            full_env["LISTEN_FDS"] = "1"
            full_env["LISTEN_FDNAMES"] = "hotswap"
            prelude = (
                'if [ "$HS_INHERITED_FD" != 3 ]; then exec 3<&"$HS_INHERITED_FD"; '
                'eval "exec $HS_INHERITED_FD<&-"; fi; unset HS_INHERITED_FD; '
            )
            own_pid_env.append("LISTEN_PID")
            pass_fds = (listen_fd,)
        if prelude or own_pid_env:
            # bash's exec and setpriv's keep the pid, so $$ is the server's pid, as systemd sets it.
            exports = "".join(f"export {name}=$$; " for name in own_pid_env)
            command = ["bash", "-c", prelude + exports + 'exec "$@"', "hotswap", *command]
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=full_env, pass_fds=pass_fds)
        process = HotswapProcess(popen, log_path, port)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
