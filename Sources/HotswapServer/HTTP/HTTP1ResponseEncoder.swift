import NIOCore
import NIOHTTP1

/// Encodes a complete response as HTTP/1.x bytes in one buffer: status line, headers,
/// `Content-Length`, `Connection`, body. Every route produces a whole response at once, so one
/// buffer and one write replace NIO's response encoder and pipeline handler.
enum HTTP1ResponseEncoder {
  /// What the response says about the connection.
  enum ConnectionHeader: Equatable {
    /// Nothing: HTTP/1.1 keeps the connection open by default.
    case implicit
    case keepAlive
    case close
  }

  /// The response as HTTP/1.x bytes. `Content-Length` and `Connection` are set here; the same
  /// headers in `response.headers` are ignored.
  static func encode(
    _ response: RESTResponse,
    version: HTTPVersion,
    headOnly: Bool,
    connection: ConnectionHeader,
    allocator: ByteBufferAllocator
  ) -> ByteBuffer {
    var buffer = allocator.buffer(capacity: 160 + response.headers.count * 40 + response.body.count)
    if version.major == 1, version.minor == 0 {
      buffer.writeStaticString("HTTP/1.0 ")
    } else {
      buffer.writeStaticString("HTTP/1.1 ")
    }
    buffer.writeString(String(response.status.code))  // small strings do not allocate
    buffer.writeInteger(UInt8(ascii: " "))
    buffer.writeString(response.status.reasonPhrase)
    buffer.writeStaticString("\r\n")
    for (name, value) in response.headers
    where !isConnectionManaged(name) {
      buffer.writeString(name)
      buffer.writeStaticString(": ")
      buffer.writeString(value)
      buffer.writeStaticString("\r\n")
    }
    buffer.writeStaticString("Content-Length: ")
    buffer.writeString(String(response.body.count))
    switch connection {
    case .implicit: buffer.writeStaticString("\r\n\r\n")
    case .keepAlive: buffer.writeStaticString("\r\nConnection: keep-alive\r\n\r\n")
    case .close: buffer.writeStaticString("\r\nConnection: close\r\n\r\n")
    }
    if !headOnly { buffer.writeBytes(response.body) }
    return buffer
  }

  private static func isConnectionManaged(_ name: String) -> Bool {
    equalsIgnoringASCIICase(name, "content-length") || equalsIgnoringASCIICase(name, "connection")
  }

  /// Compares without allocating; `lowercase` must be lowercase ASCII.
  private static func equalsIgnoringASCIICase(_ name: String, _ lowercase: StaticString) -> Bool {
    let utf8 = name.utf8
    guard utf8.count == lowercase.utf8CodeUnitCount else { return false }
    var index = 0
    for byte in utf8 {
      let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
      guard folded == lowercase.utf8Start[index] else { return false }
      index += 1
    }
    return true
  }
}
