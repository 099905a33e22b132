"""Fixtures for the deployment suites: the product run where users run it — a real systemd in an
nspawn container, podman building and running our Dockerfile, podman-compose running our compose
file. These suites never skip: a machine that cannot run them fails them with the reason."""

# The container suites' session fixtures: podman, the stand-in base images, our image.
from podman_fixtures import base_images, hotswap_image, podman  # noqa: E402,F401
