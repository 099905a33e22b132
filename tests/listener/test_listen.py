"""The listening socket as users meet it, with the real binary run as the service user: a failure
names the system call and its errno (the "ports below 1024" hint only where it applies), the
address in the log and in /status is the one really bound, and a socket inherited from systemd
keeps the accept queue (Backlog=) it was made with."""

import json
import pathlib
import re
import shutil
import signal
import socket
import subprocess

import pytest
from process_support import as_service_user, free_port, hand_to_service_user, service_directory, wait_until


@pytest.fixture
def config(repo_root):
    directory = service_directory("hotswap-listen-")
    path = directory / "active.toml"
    models = repo_root / "models" / "iris"
    path.write_text(
        '[server]\nmodel_name = "iris"\n\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n[traffic]\nblue = 100\n'
    )
    hand_to_service_user(directory)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


def serve(bin_dir, config, *args, **popen):
    return subprocess.Popen(
        as_service_user([str(bin_dir / "hotswap"), "serve", "--config", str(config), *args]),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen,
    )


def unprivileged_port_start() -> int:
    return int(pathlib.Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())


def test_a_privileged_port_names_bind_and_the_hint(bin_dir, config):
    if unprivileged_port_start() <= 81:
        pytest.skip("this kernel lets every user bind port 81 (net.ipv4.ip_unprivileged_port_start)")
    process = serve(bin_dir, config, "--listen", "127.0.0.1:81")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert (
        "hotswap: cannot listen on 127.0.0.1:81: bind failed: Permission denied (errno 13); "
        "ports below 1024 need privileges"
    ) in output


def test_a_port_in_use_names_bind_and_errno_without_the_privilege_hint(bin_dir, config):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve(bin_dir, config, "--listen", f"127.0.0.1:{port}")
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert f"cannot listen on 127.0.0.1:{port}: bind failed: Address already in use (errno 98)" in output
    assert "privileges" not in output


def status_listen(port: int) -> str:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/status")
    document = json.loads(conn.getresponse().read())
    conn.close()
    return document["server"]["listen"]


def test_port_zero_reports_the_port_really_bound(bin_dir, config):
    process = serve(bin_dir, config, "--listen", "127.0.0.1:0")
    try:
        line = process.stdout.readline()
        while "msg=listening" not in line:
            assert line, "hotswap exited before listening"
            line = process.stdout.readline()
        address = re.search(r"listen\.address=(\S+)", line).group(1)
        host, port = address.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
        assert status_listen(int(port)) == address
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0


def send_q(port: int) -> int:
    """The accept queue length of the listener on `port`, as `ss -ltn` shows it (Send-Q)."""
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], check=True, capture_output=True, text=True).stdout
    return int(out.split()[2])


def test_an_inherited_socket_keeps_its_backlog_and_address(bin_dir, config):
    """NIO listens again with 128 on a socket it is given; the server restores the backlog it read
    from the kernel (TCP_INFO), so systemd's Backlog= holds."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(1000)
    port = listener.getsockname()[1]
    assert send_q(port) == 1000
    # As systemd passes it: descriptor 3, LISTEN_FDS=1, LISTEN_PID the server's own pid.
    command = [str(bin_dir / "hotswap"), "serve", "--config", str(config)]
    shell = "export LISTEN_PID=$$ LISTEN_FDS=1; exec " + " ".join(command)
    process = subprocess.Popen(
        as_service_user(["sh", "-c", shell]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        pass_fds=(3,), preexec_fn=lambda: _move_to_fd3(listener.fileno()),
    )
    try:
        line = process.stdout.readline()
        seen = line
        while "msg=listening" not in line:
            assert line, f"hotswap exited before listening:\n{seen}"
            line = process.stdout.readline()
            seen += line
        assert f"listen.address=127.0.0.1:{port}" in line
        assert status_listen(port) == f"127.0.0.1:{port}"
        wait_until(lambda: send_q(port) == 1000, 5, "the inherited socket's backlog")
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
        listener.close()
    assert process.returncode == 0


def _move_to_fd3(descriptor: int) -> None:
    import os

    if descriptor != 3:
        os.dup2(descriptor, 3)
    os.set_inheritable(3, True)
