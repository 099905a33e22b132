import Foundation
import Testing

/// HTTP/1.1 details a plain client library hides: pipelined requests answered in order (one of
/// them large enough to run off the event loop), HTTP/1.0, and `Expect: 100-continue`.
@Suite(.serialized)
struct HTTP1ProtocolTests {
  static func predict(rows: Int, close: Bool = false) -> String {
    let row = "[5.1,3.5,1.4,0.2]"
    let body =
      rows == 1
      ? #"{"features":\#(row)}"#
      : #"{"instances":[\#(Array(repeating: row, count: rows).joined(separator: ","))]}"#
    return "POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
  }

  @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
    let server = try await HotswapProcess(config: BadRequestTests.config)
    // The middle request has more rows than run inline, so it is answered off the event loop
    // while the last one already waits in the same read.
    let rows = 200
    let requests =
      "GET /health HTTP/1.1\r\nHost: t\r\n\r\n" + Self.predict(rows: rows)
      + Self.predict(rows: 1, close: true)
    let answer = try RawTCP.exchange(port: server.port, bytes: Array(requests.utf8))
    // Responses follow each other directly: a body, then the next status line.
    let statuses = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(6) }
    #expect(statuses == ["200 OK", "200 OK", "200 OK"])
    let health = try #require(answer.range(of: #""status":"ok""#))
    let batch = try #require(answer.range(of: #""predictions":["#))
    let single = try #require(answer.range(of: #"{"prediction":0"#))
    #expect(health.lowerBound < batch.lowerBound && batch.lowerBound < single.lowerBound)
    #expect(answer.components(separatedBy: #""class_name":"setosa""#).count - 1 == rows + 1)
    #expect(answer.hasSuffix("\"slot\":\"blue\"}"), "the connection closed after the last answer")
    await server.stop()
  }

  @Test func http10GetsAnHTTP10AnswerAndTheConnectionCloses() async throws {
    let server = try await HotswapProcess(config: BadRequestTests.config)
    let answer = try RawTCP.exchange(port: server.port, bytes: Array("GET /health HTTP/1.0\r\n\r\n".utf8))
    #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"))
    #expect(answer.contains("\r\nConnection: close\r\n"))
    #expect(answer.hasSuffix("}"))
    await server.stop()
  }

  @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
    let server = try await HotswapProcess(config: BadRequestTests.config)
    let body = #"{"features":[5.1,3.5,1.4,0.2]}"#
    let head =
      "POST /predict HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nConnection: close\r\n"
      + "Content-Length: \(body.utf8.count)\r\n\r\n"
    let answer = try RawTCP.exchange(port: server.port, bytes: Array((head + body).utf8))
    #expect(answer.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))
    #expect(answer.contains(#""prediction":0"#))
    await server.stop()
  }
}
