import NIOCore
import NIOHTTP1
import Testing

@testable import HotswapServer

/// The bytes `HTTP1ResponseEncoder` writes for a response.
@Suite struct ResponseEncodingTests {
  private func encode(
    _ response: RESTResponse,
    version: HTTPVersion = .http1_1,
    headOnly: Bool = false,
    connection: HTTP1ResponseEncoder.ConnectionHeader = .implicit
  ) -> String {
    let buffer = HTTP1ResponseEncoder.encode(
      response,
      version: version,
      headOnly: headOnly,
      connection: connection,
      allocator: ByteBufferAllocator()
    )
    return String(buffer: buffer)
  }

  @Test func statusHeadersLengthAndBody() {
    let response = RESTResponse(
      status: .ok,
      headers: ["Content-Type": "application/json"],
      body: Array("{}".utf8)
    )
    #expect(
      encode(response) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )
  }

  @Test func theConnectionOwnsLengthAndConnectionHeaders() {
    let response = RESTResponse(
      status: .notFound,
      headers: ["content-LENGTH": "999", "Connection": "upgrade", "X-Hotswap-Slot": "blue"],
      body: Array("nope".utf8)
    )
    #expect(
      encode(response, connection: .close)
        == "HTTP/1.1 404 Not Found\r\nX-Hotswap-Slot: blue\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope"
    )
  }

  @Test func headGetsTheLengthButNoBody() {
    let response = RESTResponse(status: .ok, body: Array("hello".utf8))
    #expect(encode(response, headOnly: true) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
  }

  @Test func http10KeepAliveIsSaidOutLoud() {
    let response = RESTResponse(status: .noContent)
    #expect(
      encode(response, version: .http1_0, connection: .keepAlive)
        == "HTTP/1.0 204 No Content\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
    )
  }
}
