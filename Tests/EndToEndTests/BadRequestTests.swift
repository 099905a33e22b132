import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

/// Bad input gets the right status and a JSON error that says what to fix; the server keeps
/// serving afterwards.
@Suite(.serialized)
struct BadRequestTests {
  struct Case: Sendable, CustomStringConvertible {
    let name: String
    let method: HTTPMethod
    let path: String
    let body: String?
    let status: Int
    let mentions: String
    var description: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "malformed JSON",
      method: .POST,
      path: "/predict",
      body: #"{"features": [1, 2,"#,
      status: 400,
      mentions: "invalid JSON"
    ),
    Case(
      name: "wrong feature count",
      method: .POST,
      path: "/predict",
      body: #"{"features":[1,2,3]}"#,
      status: 400,
      mentions: "expected 4 features"
    ),
    Case(
      name: "string for a number",
      method: .POST,
      path: "/predict",
      body: #"{"features":[1,"a",3,4]}"#,
      status: 400,
      mentions: "must be a number"
    ),
    Case(
      name: "NaN literal",
      method: .POST,
      path: "/predict",
      body: #"{"features":[1,NaN,3,4]}"#,
      status: 400,
      mentions: "NaN"
    ),
    Case(
      name: "null where the model has no imputer",
      method: .POST,
      path: "/predict",
      body: #"{"features":[1,null,3,4]}"#,
      status: 400,
      mentions: "sepal_width"
    ),
    Case(name: "empty body", method: .POST, path: "/predict", body: "", status: 400, mentions: "empty body"),
    Case(
      name: "unknown named feature",
      method: .POST,
      path: "/predict",
      body: #"{"sepal_length":1,"colour":2}"#,
      status: 400,
      mentions: "unknown feature 'colour'"
    ),
    Case(name: "unknown route", method: .GET, path: "/nope", body: nil, status: 404, mentions: "no route"),
    Case(name: "wrong method", method: .GET, path: "/predict", body: nil, status: 405, mentions: "use POST"),
    Case(
      name: "2 MiB body",
      method: .POST,
      path: "/predict",
      body: String(repeating: " ", count: 2 << 20),
      status: 413,
      mentions: "exceeds"
    ),
  ]

  static let config = """
    [slots.blue]
    model = "\(HotswapProcess.model("iris/v1.0.0"))"
    [traffic]
    blue = 1
    """

  @Test func everyBadRequestGetsAClearError() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let client = HTTPClient.shared
    for item in Self.cases {
      let response = try await client.send(item.method, server.url(item.path), body: item.body)
      #expect(response.status == item.status, "\(item.name)")
      let message = response.json["error"] as? String ?? ""
      #expect(message.contains(item.mentions), "\(item.name): \(message)")
      let after = try await client.send(
        .POST,
        server.url("/predict"),
        body: #"{"features":[5.1,3.5,1.4,0.2]}"#
      )
      #expect(after.status == 200, "server still serves after \(item.name)")
    }
    #expect(server.isRunning)
    await server.stop()
  }

  @Test func garbageBytesGetAJSON400() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let answer = try RawTCP.exchange(port: server.port, bytes: Array("\u{01}\u{02}garbage\r\n\r\n".utf8))
    #expect(answer.hasPrefix("HTTP/1.1 400"))
    #expect(answer.contains(#"{"error":"malformed HTTP request"#))
    let client = HTTPClient.shared
    let after = try await client.send(.GET, server.url("/health"))
    #expect(after.status == 200)
    await server.stop()
  }
}

/// A blocking TCP exchange for sending bytes no HTTP client would send.
enum RawTCP {
  static func exchange(port: Int, bytes: [UInt8], timeoutSeconds: Int = 5) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw TestFailure("connect failed: \(errno)") }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count <= 0 { break }
      received.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: received, as: UTF8.self)
  }
}
