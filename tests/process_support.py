"""Helpers every Python suite shares when it runs `hotswap` as a child process: a free loopback
port and waiting on a condition with a deadline. (pytest puts tests/ on sys.path through
tests/conftest.py, so the suites import this module by name.)"""

import http.client
import os
import pathlib
import socket
import tempfile
import time

RETRIED_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05, retry_on=RETRIED_ERRORS):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass; errors of the
    `retry_on` types count as "not yet" and the last one is named if time runs out."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except retry_on as error:
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


# --- Running the server the way users run it: as an unprivileged user ---------------------------

SERVICE_UID = 65534  # nobody: what systemd's User=, the image's USER and runAsNonRoot give us
SERVICE_GID = 65534  # nogroup


def as_service_user(argv: list[str]) -> list[str]:
    """`argv` run as `nobody` when the suite runs as root (CI does): the server never gets a
    privilege its users' deployments do not give it. As any other user it runs unchanged."""
    if os.geteuid() != 0:
        return list(argv)
    return ["setpriv", f"--reuid={SERVICE_UID}", f"--regid={SERVICE_GID}", "--clear-groups", "--", *argv]


def service_directory(prefix: str = "hotswap-test-") -> pathlib.Path:
    """A fresh folder the service user can read and write (pytest's own tmp folders are 0700 and
    root's). The caller removes it (`shutil.rmtree`)."""
    path = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(path, SERVICE_UID, SERVICE_GID)
    return path


def hand_to_service_user(path: pathlib.Path) -> None:
    """Gives `path` (a file or a whole folder) to the service user, as an operator would chown a
    state directory; a no-op when not root."""
    if os.geteuid() != 0:
        return
    os.chown(path, SERVICE_UID, SERVICE_GID)
    if path.is_dir():
        for child in path.rglob("*"):
            os.chown(child, SERVICE_UID, SERVICE_GID, follow_symlinks=False)
