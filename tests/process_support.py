"""Helpers every Python suite shares when it runs `hotswap` as a child process: a free loopback
port and waiting on a condition with a deadline. (pytest puts tests/ on sys.path through
tests/conftest.py, so the suites import this module by name.)"""

import http.client
import socket
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
