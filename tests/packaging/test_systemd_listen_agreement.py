"""Under socket activation systemd binds the address (`ListenStream=`), so `[server] listen` cannot
apply: the server serves on the passed socket and warns, naming both addresses, when they differ —
`hotswap status` and `switch` would look for it at the configured one. When they agree it says
nothing. The test holds the socket, as hotswap.socket does, and passes it as fd 3."""

import socket

import pytest

from hotswap_process import http_request, predict_body

pytestmark = pytest.mark.slow

WARNING = "[server] listen differs from the socket systemd passed"


def loopback_listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


def set_listen(config, address: str) -> None:
    text = config.read_text()
    lines = [f'listen = "{address}"' if line.startswith("listen = ") else line for line in text.splitlines()]
    assert lines != text.splitlines(), "the bundled config has no listen = line"
    config.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "configured, warns",
    [
        ("0.0.0.0:{port}", True),  # all interfaces configured, loopback bound
        ("127.0.0.1:9", True),  # another port
        ("127.0.0.1:{port}", False),
        ("localhost:{port}", False),
    ],
)
def test_listen_is_compared_with_the_passed_socket(hotswap_factory, active_config, configured, warns):
    listener = loopback_listener()
    port = listener.getsockname()[1]
    try:
        set_listen(active_config, configured.format(port=port))
        server = hotswap_factory(["serve", "--config", str(active_config)], port, listen_fd=listener.fileno())
        server.wait_ready()
        status, _, body = http_request(port, "POST", "/predict", predict_body())
        assert status == 200, body
        log = server.log()
        assert f"listen.socket=127.0.0.1:{port}" in log, log
        assert (WARNING in log) == warns, log
        if warns:
            assert f"listen.configured={configured.format(port=port)}" in log
            assert "systemctl edit hotswap.socket" in log
        assert server.terminate_and_wait() == 0, server.log()
    finally:
        listener.close()
