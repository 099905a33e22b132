"""Raw HTTP/2 for the gRPC wire tests: a client connection driven by hyper-h2 (pinned in
tools/python/requirements.txt) with its validation off, so a test can send what real clients never
do, plus hand-built frames for the floods. Every read has a deadline; nothing waits forever."""

from __future__ import annotations

import socket
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ROW = (5.1, 3.5, 1.4, 0.2)
PREDICT = "/hotswap.v1.PredictionService/Predict"
MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"

# Frame types and flags (RFC 9113 §6).
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1

GRPC_CODES = {
    0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
}


def grpc_frame(message: bytes, flag: int = 0, length: int | None = None) -> bytes:
    """One length-prefixed gRPC message; `flag` and `length` may lie."""
    return bytes([flag]) + struct.pack(">I", len(message) if length is None else length) + message


def predict_message(row=ROW) -> bytes:
    """hotswap.v1.PredictRequest{features = row}: field 1, packed floats."""
    packed = struct.pack(f"<{len(row)}f", *row)
    return b"\x0a" + bytes([len(packed)]) + packed


def health_check_message(service: str = "") -> bytes:
    encoded = service.encode()
    return (b"\x0a" + bytes([len(encoded)]) + encoded) if encoded else b""


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    """One raw HTTP/2 frame."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def grpc_headers(path: str, extra=(), method: str = "POST", content_type: str | None = "application/grpc"):
    headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")]
    if content_type is not None:
        headers.append(("content-type", content_type))
    headers.append(("te", "trailers"))
    return headers + list(extra)


class Response:
    """What one stream received: headers, data, trailers, and how it ended."""

    def __init__(self):
        self.headers: dict[str, str] = {}
        self.data = b""
        self.trailers: dict[str, str] = {}
        self.reset: int | None = None  # RST_STREAM error code
        self.ended = False
        self.frames_after_reset = 0

    @property
    def status(self) -> str | None:
        """The gRPC status name, from the trailers (or a trailers-only HEADERS)."""
        code = self.trailers.get("grpc-status", self.headers.get("grpc-status"))
        return None if code is None else GRPC_CODES.get(int(code), code)

    @property
    def message(self) -> str:
        from urllib.parse import unquote

        return unquote(self.trailers.get("grpc-message", self.headers.get("grpc-message", "")))

    @property
    def done(self) -> bool:
        return self.ended or self.reset is not None


class RawH2:
    """One HTTP/2 connection to 127.0.0.1:`port`. `settings` are our initial SETTINGS."""

    def __init__(self, port: int, settings: dict | None = None, timeout: float = 10.0, preface: bool = True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        config = h2.config.H2Configuration(
            client_side=True,
            header_encoding="utf-8",
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
            validate_inbound_headers=False,
        )
        self.conn = h2.connection.H2Connection(config=config)
        self.responses: dict[int, Response] = {}
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.closed = False
        self.remote_settings_seen = False
        self.pings_acked = 0
        self.frames: list[tuple[int, int, int]] = []  # (type, flags, stream) of every frame received
        self._unparsed = b""
        if preface:
            self.conn.initiate_connection()
            if settings:
                self.conn.update_settings(settings)
            self.flush()

    # -- sending ---------------------------------------------------------------------------------

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.send_raw(data)

    def send_raw(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def start(self, path: str, extra=(), method: str = "POST", content_type: str | None = "application/grpc",
              end: bool = False, headers=None) -> int:
        """Opens a stream with the gRPC request headers; returns its id."""
        stream = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream, headers or grpc_headers(path, extra, method, content_type), end_stream=end)
        self.responses[stream] = Response()
        self.flush()
        return stream

    def send(self, stream: int, data: bytes, end: bool = True, chunk: int | None = None, timeout: float = 30.0) -> None:
        """Sends `data` on `stream` in DATA frames of at most `chunk` bytes, within flow control.
        Stops early if the server ends or resets the stream (it will not take the rest)."""
        size = chunk or self.conn.max_outbound_frame_size
        deadline = time.monotonic() + timeout
        response = self.responses[stream]
        offset = 0
        while True:
            piece = data[offset: offset + size]
            last = offset + len(piece) >= len(data)
            while not response.done and self.conn.local_flow_control_window(stream) < len(piece):
                if time.monotonic() > deadline or self.closed:
                    raise AssertionError(f"no flow-control window for stream {stream} within {timeout}s")
                self.read(timeout=1)
            if response.done:
                return
            self.conn.send_data(stream, piece, end_stream=end and last)
            self.flush()
            offset += len(piece)
            if last:
                return

    def call(self, path: str, message: bytes, extra=(), timeout: float = 10.0, framed: bool = False) -> Response:
        """One unary call, waited for."""
        stream = self.start(path, extra)
        self.send(stream, message if framed else grpc_frame(message))
        return self.wait(stream, timeout)

    def reset(self, stream: int, code: int = 8) -> None:
        self.conn.reset_stream(stream, error_code=code)
        self.flush()

    # -- receiving -------------------------------------------------------------------------------

    def read(self, timeout: float = 10.0) -> bool:
        """Reads once; False when the server closed the connection."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            return True
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return False
        self._track_frames(data)
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            events = []
        for event in events:
            self._handle(event)
        self.flush()
        return True

    def _track_frames(self, data: bytes) -> None:
        self._unparsed += data
        while len(self._unparsed) >= 9:
            length = int.from_bytes(self._unparsed[:3], "big")
            if len(self._unparsed) < 9 + length:
                return
            kind, flags = self._unparsed[3], self._unparsed[4]
            stream = int.from_bytes(self._unparsed[5:9], "big") & 0x7FFFFFFF
            self.frames.append((kind, flags, stream))
            self._unparsed = self._unparsed[9 + length:]

    def frames_on(self, stream: int, since: int = 0) -> list[int]:
        """Types of the frames received on `stream`, from the `since`-th frame of the connection."""
        return [kind for kind, _, on in self.frames[since:] if on == stream]

    def read_for(self, seconds: float) -> None:
        """Reads whatever arrives for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closed:
            self.read(timeout=max(0.01, min(0.25, deadline - time.monotonic())))

    def _handle(self, event) -> None:
        stream = getattr(event, "stream_id", None)
        response = self.responses.get(stream) if stream else None
        if isinstance(event, h2.events.RemoteSettingsChanged):
            self.remote_settings_seen = True
        elif isinstance(event, h2.events.PingAckReceived):
            self.pings_acked += 1
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = event
        elif response is None:
            return
        elif response.reset is not None:
            response.frames_after_reset += 1
        elif isinstance(event, (h2.events.ResponseReceived, h2.events.InformationalResponseReceived)):
            response.headers.update(dict(event.headers))
        elif isinstance(event, h2.events.TrailersReceived):
            response.trailers.update(dict(event.headers))
        elif isinstance(event, h2.events.DataReceived):
            response.data += event.data
            try:
                self.conn.acknowledge_received_data(event.flow_controlled_length, stream)
            except h2.exceptions.ProtocolError:
                pass  # hyper-h2 sends nothing more once it got a GOAWAY

        elif isinstance(event, h2.events.StreamEnded):
            response.ended = True
        elif isinstance(event, h2.events.StreamReset):
            response.reset = event.error_code

    def wait(self, stream: int, timeout: float = 10.0) -> Response:
        """Reads until `stream` ends or is reset; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        response = self.responses[stream]
        while not response.done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"stream {stream} got no answer within {timeout}s: {vars(response)}")
            if not self.read(timeout=min(remaining, 1.0)):
                raise AssertionError(f"the connection closed before stream {stream} ended: {vars(response)}")
        return response

    def wait_closed(self, timeout: float) -> float:
        """Reads until the server closes the connection; returns how long that took."""
        started = time.monotonic()
        while not self.closed:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"the server kept the connection open for {timeout}s")
            self.read(timeout=0.5)
        return time.monotonic() - started

    def wait_settings(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.remote_settings_seen:
            assert time.monotonic() < deadline, "no SETTINGS from the server"
            self.read(timeout=0.5)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawH2":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes (raises if it has not closed within `timeout`)."""
    received = b""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"the server kept the connection open for {timeout}s")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(1 << 16)
        except socket.timeout:
            continue
        except OSError:
            return received
        if not chunk:
            return received
        received += chunk


def frame_types(data: bytes) -> list[tuple[int, int]]:
    """(type, error code for GOAWAY/RST_STREAM else 0) of the frames in `data` (after no preface)."""
    found, offset = [], 0
    while offset + 9 <= len(data):
        length = int.from_bytes(data[offset: offset + 3], "big")
        kind = data[offset + 3]
        payload = data[offset + 9: offset + 9 + length]
        code = 0
        if kind == GOAWAY and len(payload) >= 8:
            code = int.from_bytes(payload[4:8], "big")
        elif kind == RST_STREAM and len(payload) >= 4:
            code = int.from_bytes(payload[:4], "big")
        found.append((kind, code))
        offset += 9 + length
    return found
