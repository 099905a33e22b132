"""Fixtures for the deployment suites: the product run where users run it — a real systemd in an
nspawn container, podman building and running our Dockerfile, podman-compose running our compose
file. These suites never skip: a machine that cannot run them fails them with the reason."""

import pytest

import hotswap_release
from apt_repository import RepositoryUnavailable
from nspawn import MachineUnavailable
# The container suites' session fixtures: podman, the stand-in base images, our image.
from podman_fixtures import base_images, hotswap_image, podman  # noqa: F401
from rootfs import RootfsUnavailable

# --- systemd and package suites: one release build per run, shared ------------------------------


def _or_fail(make, what: str):
    try:
        return make()
    except (hotswap_release.BuildFailed, RootfsUnavailable, MachineUnavailable, RepositoryUnavailable) as error:
        pytest.fail(f"{what}: {error}", pytrace=False)


@pytest.fixture(scope="session")
def release_binary():
    """The static release binary (HOTSWAP_RELEASE_BIN from scripts/test.sh, else built now)."""
    return _or_fail(hotswap_release.release_binary, "the static release build")


@pytest.fixture(scope="session")
def hotswap_deb(release_binary):
    """hotswap_<changelog version>_<arch>.deb, made by scripts/build-deb.sh; this run's packages
    are removed at the end of the session."""
    yield _or_fail(hotswap_release.deb, "make deb")
    hotswap_release.cleanup()


@pytest.fixture(scope="session")
def hotswap_upgrade_deb(release_binary):
    """The same build at a newer version, for the upgrade test."""
    return _or_fail(hotswap_release.upgrade_deb, "make deb (upgrade version)")

