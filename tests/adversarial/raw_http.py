"""Raw HTTP/1.1 on a TCP socket, for the attacks no client library sends: pipelining, partial
heads and bodies, slow bodies, smuggling shapes. A reader thread collects the answers while the
attacker writes, so neither side blocks the other; every wait has a deadline."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field

MIB = 1 << 20


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def closes(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


@dataclass
class Outcome:
    """What a connection received: the responses in order, and how the stream ended."""

    responses: list[Response] = field(default_factory=list)
    ended_by: str = "open"  # "eof" (the server closed cleanly), "reset", or "open" (still open at the deadline)
    ended_at: float | None = None  # monotonic time of the end
    leftover: bytes = b""

    @property
    def statuses(self) -> list[int]:
        return [r.status for r in self.responses]


_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) [^\r\n]*\r\n")


def parse_responses(data: bytes) -> tuple[list[Response], bytes]:
    """Complete responses at the start of `data` (bodies framed by Content-Length), and the rest."""
    responses = []
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return responses, data
        head = data[: end + 2]
        match = _STATUS.match(head)
        if not match:
            raise AssertionError(f"not an HTTP response: {data[:200]!r}")
        headers = {}
        for line in head[match.end():].split(b"\r\n"):
            if line:
                name, _, value = line.partition(b":")
                headers[name.decode().strip().lower()] = value.decode().strip()
        length = int(headers.get("content-length", "0"))
        status = int(match.group(1))
        if status == 100:
            length = 0
        if len(data) < end + 4 + length:
            return responses, data
        responses.append(Response(status, headers, data[end + 4 : end + 4 + length]))
        data = data[end + 4 + length :]


class RawConnection:
    """A TCP connection to 127.0.0.1:`port` whose answers a background thread reads and parses."""

    def __init__(self, port: int, receive_buffer: int | None = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        self.outcome = Outcome()
        self._data = b""
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._reader: threading.Thread | None = None

    def start_reading(self) -> "RawConnection":
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    self._end("eof")
                    return
                with self._lock:
                    self._data += chunk
                    parsed, self._data = parse_responses(self._data)
                    self.outcome.responses.extend(parsed)
        except ConnectionResetError:
            self._end("reset")
        except OSError:
            self._end("closed")

    def _end(self, how: str) -> None:
        with self._lock:
            self.outcome.ended_by = how
            self.outcome.ended_at = time.monotonic()
            self.outcome.leftover = self._data
        self._done.set()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def try_send(self, data: bytes) -> bool:
        """Sends unless the server reset or closed the connection; False then."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def wait_closed(self, timeout: float) -> Outcome:
        """Waits until the server ends the stream (or `timeout`); the outcome so far."""
        self._done.wait(timeout)
        return self.outcome

    def wait_responses(self, count: int, timeout: float) -> list[Response]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.outcome.responses) < count and not self._done.is_set():
            time.sleep(0.01)
        return list(self.outcome.responses)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if self._reader:
            self._reader.join(timeout=5)

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def exchange(port: int, data: bytes, timeout: float = 10.0) -> Outcome:
    """Sends `data` on a new connection, half-closes, and returns everything the server answered."""
    with RawConnection(port).start_reading() as conn:
        conn.send(data)
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        return conn.wait_closed(timeout)


def get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def post(path: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
