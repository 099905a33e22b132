"""Fixtures for the adversarial suites (the hostile-network and careless-file issue): a server of
the test's own, run as the service user under an address-space limit, stopped by PID."""

import pytest
from adversary import AdversaryServer, iris_config


@pytest.fixture
def launch(bin_dir, repo_root):
    """`launch(config_text=None, **kwargs)` starts an AdversaryServer (default: iris blue/green)."""
    started = []

    def start(config_text: str | None = None, **kwargs) -> AdversaryServer:
        server = AdversaryServer(bin_dir, config_text or iris_config(repo_root), **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(launch):
    """A server serving the default iris config."""
    return launch()
