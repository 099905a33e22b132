import Foundation
import Synchronization
import Testing

@testable import HotswapSystem

#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTPGet: a GET on swift-nio's client pipeline against a real listening socket")
struct HTTPGetTests {
  @Test("a body delimited by Content-Length is read without waiting for the connection to close")
  func contentLength() async throws {
    let server = try TestHTTPServer(
      response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      holdOpen: .seconds(60)
    )
    // The server keeps the connection open far longer than the timeout: an answer at all means
    // the body was complete at its Content-Length.
    let response = try await HTTPGet.fetch(
      "http://127.0.0.1:\(server.port)/status?x=1",
      timeout: .seconds(10)
    )
    #expect(response.status == 200)
    #expect(response.body == Array("hello".utf8))
    #expect(response.header("content-length") == "5")
    let request = server.requests.first ?? ""
    #expect(request.hasPrefix("GET /status?x=1 HTTP/1.1\r\n"))
    #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
    #expect(request.contains("\r\nConnection: close\r\n"))
  }

  @Test("without Content-Length the body is everything until the server closes")
  func readToEnd() async throws {
    let body = String(repeating: "0123456789", count: 20_000)
    let server = try TestHTTPServer(response: "HTTP/1.0 404 Not Found\r\nServer: test\r\n\r\n" + body)
    let response = try await HTTPGet.fetch("http://127.0.0.1:\(server.port)", timeout: .seconds(2))
    #expect(response.status == 404)
    #expect(response.body.count == body.utf8.count)
    #expect(server.requests.first?.hasPrefix("GET / HTTP/1.1\r\n") == true)
  }

  @Test("a chunked body is decoded")
  func chunked() async throws {
    let server = try TestHTTPServer(
      response:
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n9;ext=1\r\n:1234567}\r\n0\r\n\r\n"
    )
    let response = try await HTTPGet.fetch("http://127.0.0.1:\(server.port)/", timeout: .seconds(2))
    #expect(String(decoding: response.body, as: UTF8.self) == "{\"a\":1234567}")
  }

  @Test("IPv6 literals and localhost connect")
  func ipv6AndLocalhost() async throws {
    if let server = try? TestHTTPServer(
      response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6",
      family: AF_INET6
    ) {
      let response = try await HTTPGet.fetch("http://[::1]:\(server.port)/status", timeout: .seconds(2))
      #expect(response.body == Array("v6".utf8))
      #expect(server.requests.first?.contains("\r\nHost: [::1]:\(server.port)\r\n") == true)
    }
    let server = try TestHTTPServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv4")
    let response = try await HTTPGet.fetch("http://localhost:\(server.port)/status", timeout: .seconds(2))
    #expect(response.body == Array("v4".utf8))
  }

  @Test("a refused connection names the host, the port and the reason")
  func refused() async throws {
    let port = try TestHTTPServer.unusedPort()
    await #expect(
      throws: HTTPGetError.cannotConnect(host: "127.0.0.1", port: port, reason: "Connection refused")
    ) {
      try await HTTPGet.fetch("http://127.0.0.1:\(port)/status", timeout: .seconds(2))
    }
    let error = HTTPGetError.cannotConnect(host: "127.0.0.1", port: port, reason: "Connection refused")
    #expect(error.description == "Failed to connect to 127.0.0.1 port \(port): Connection refused")
  }

  @Test("a server that never answers times out")
  func timeout() async throws {
    // Silent for a minute: only the timeout can end the wait.
    let server = try TestHTTPServer(response: nil, holdOpen: .seconds(60))
    await #expect(throws: HTTPGetError.timedOut(.milliseconds(200))) {
      try await HTTPGet.fetch("http://127.0.0.1:\(server.port)/status", timeout: .milliseconds(200))
    }
  }

  @Test("a body shorter than its Content-Length, or no answer at all, is an error")
  func truncated() async throws {
    let short = try TestHTTPServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    await #expect(throws: HTTPGetError.invalidResponse("the body ended after 3 of 10 bytes")) {
      try await HTTPGet.fetch("http://127.0.0.1:\(short.port)/", timeout: .seconds(2))
    }
    let silent = try TestHTTPServer(response: "")
    await #expect(throws: HTTPGetError.invalidResponse("the server closed the connection without answering"))
    {
      try await HTTPGet.fetch("http://127.0.0.1:\(silent.port)/", timeout: .seconds(2))
    }
  }

  @Test("a chunk size near Int.max, or a body past the limit, is an error, not a crash")
  func hostileAnswers() async throws {
    let huge = try TestHTTPServer(
      response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7ffffffffffffffe\r\nabc"
    )
    await #expect(throws: HTTPGetError.self) {
      try await HTTPGet.fetch("http://127.0.0.1:\(huge.port)/", timeout: .seconds(2))
    }
    let body = String(repeating: "x", count: HTTPGet.maximumResponseBytes + 1)
    let large = try TestHTTPServer(
      response: "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    )
    await #expect(
      throws: HTTPGetError.invalidResponse("the body is larger than \(HTTPGet.maximumResponseBytes) bytes")
    ) {
      try await HTTPGet.fetch("http://127.0.0.1:\(large.port)/", timeout: .seconds(5))
    }
  }

  @Test("URLs are split into host, port and request target")
  func targets() throws {
    #expect(try HTTPTarget("http://127.0.0.1:8080") == HTTPTarget(host: "127.0.0.1", port: 8080, path: "/"))
    #expect(try HTTPTarget("http://[::1]:9/status") == HTTPTarget(host: "::1", port: 9, path: "/status"))
    #expect(
      try HTTPTarget("HTTP://example.com/a?b#c") == HTTPTarget(host: "example.com", port: 80, path: "/a?b")
    )
    #expect(try HTTPTarget("http://h:1?q") == HTTPTarget(host: "h", port: 1, path: "/?q"))
    #expect(try HTTPTarget("http://[::1]/").hostHeader == "[::1]:80")
    for bad in [
      "ht tp://x", "127.0.0.1:8080", "http://", "http://:80", "http://h:0", "http://h:99999", "http://[::1",
    ] {
      #expect(throws: HTTPGetError.invalidURL(bad), "\(bad)") { try HTTPTarget(bad) }
    }
    #expect(throws: HTTPGetError.unsupportedScheme("https://h/")) { try HTTPTarget("https://h/") }
  }
}

/// A loopback server for one connection: records the request, sends `response` (nil: nothing),
/// keeps the connection open for `holdOpen`, then closes.
final class TestHTTPServer: Sendable {
  let port: UInt16
  private let listener: CInt
  private let received = Mutex<[String]>([])

  /// The requests read so far (after the response was sent).
  var requests: [String] { received.withLock { $0 } }

  init(response: String?, holdOpen: Duration = .zero, family: CInt = AF_INET) throws {
    let (listener, port) = try Self.listen(family: family)
    self.listener = listener
    self.port = port
    let thread = Thread { [self] in self.serve(response: response, holdOpen: holdOpen) }
    thread.start()
  }

  deinit {
    close(listener)
  }

  /// A port nothing listens on (bound, then closed).
  static func unusedPort() throws -> UInt16 {
    let (descriptor, port) = try listen(family: AF_INET)
    close(descriptor)
    return port
  }

  private static func listen(family: CInt) throws -> (CInt, UInt16) {
    let descriptor = socket(family, CInt(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EIO) }
    var storage = sockaddr_storage()
    var length: socklen_t
    if family == AF_INET6 {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_addr = in6addr_loopback
      withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
      }
      length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    } else {
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
      withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
      }
      length = socklen_t(MemoryLayout<sockaddr_in>.size)
    }
    let bound = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0, Glibc.listen(descriptor, 4) == 0 else {
      close(descriptor)
      throw POSIXError(.EADDRNOTAVAIL)
    }
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    let port = withUnsafeBytes(of: storage) { raw in
      UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
    }
    return (descriptor, port)
  }

  private func serve(response: String?, holdOpen: Duration) {
    let connection = accept(listener, nil, nil)
    guard connection >= 0 else { return }
    defer { close(connection) }
    var request: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while request.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
      let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
      if count <= 0 { break }
      request += buffer[..<count]
    }
    received.withLock { $0.append(String(decoding: request, as: UTF8.self)) }
    if let response {
      let bytes = Array(response.utf8)
      var offset = 0
      while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes {
          send(connection, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL))
        }
        if sent <= 0 { break }
        offset += sent
      }
    }
    if holdOpen > .zero { usleep(UInt32(holdOpen.components.seconds * 1_000_000)) }
  }
}
