"""Fixtures for the packaging suites: the bundled config made location-independent, and `hotswap`
processes that the tests start and stop by PID."""

import os
import pathlib
import re
import subprocess

import pytest

from hotswap_process import HotswapProcess


@pytest.fixture
def active_config(tmp_path, repo_root) -> pathlib.Path:
    """conf/active.toml copied into tmp_path/conf with its model paths made absolute."""
    source = repo_root / "conf" / "active.toml"
    text = source.read_text()
    text = re.sub(r'"\.\./models/', f'"{repo_root}/models/', text)
    conf = tmp_path / "conf"
    conf.mkdir(exist_ok=True)
    target = conf / "active.toml"
    target.write_text(text)
    return target


@pytest.fixture
def hotswap_factory(bin_dir, tmp_path):
    """Starts `hotswap serve` processes; every one still running at the end is killed by PID."""
    started: list[HotswapProcess] = []
    counter = [0]

    def start(args: list[str], port: int, env: dict | None = None, pass_fds=(), listen_fd: int | None = None):
        counter[0] += 1
        log_path = tmp_path / f"hotswap-{counter[0]}.log"
        full_env = dict(os.environ)
        full_env.pop("NOTIFY_SOCKET", None)
        full_env.pop("LISTEN_FDS", None)
        full_env.pop("LISTEN_PID", None)
        full_env["HOTSWAP_STATE_DIRECTORY"] = str(tmp_path / "state")
        full_env.update(env or {})
        command = [str(bin_dir / "hotswap"), *args]
        if listen_fd is not None:
            # Socket activation as systemd does it: the socket is fd 3, LISTEN_PID is the server's
            # own pid (bash's exec keeps the pid), LISTEN_FDS=1.
            full_env["HS_INHERITED_FD"] = str(listen_fd)
            script = (
                'if [ "$HS_INHERITED_FD" != 3 ]; then exec 3<&"$HS_INHERITED_FD"; eval "exec $HS_INHERITED_FD<&-"; fi; '
                'unset HS_INHERITED_FD; export LISTEN_FDS=1 LISTEN_FDNAMES=hotswap LISTEN_PID=$$; exec "$@"'
            )
            command = ["bash", "-c", script, "hotswap", *command]
            pass_fds = (*pass_fds, listen_fd)
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=full_env, pass_fds=pass_fds
            )
        process = HotswapProcess(popen, log_path, port)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
