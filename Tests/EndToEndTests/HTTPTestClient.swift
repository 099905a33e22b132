import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A response as the tests look at it.
struct TestResponse: Sendable {
  let status: Int
  let headers: HTTPHeaders
  let body: String

  /// The body as a JSON object (empty if it is not one).
  var json: [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
  }

  /// The `X-Hotswap-Slot` header.
  var slot: String? { headers.first(name: "x-hotswap-slot") }
  /// The `X-Hotswap-Generation` header.
  var generation: Int? { headers.first(name: "x-hotswap-generation").flatMap(Int.init) }
}

extension HTTPClient {
  /// One request; keep-alive connections are pooled by the client.
  func send(
    _ method: HTTPMethod,
    _ url: String,
    body: String? = nil,
    headers: [(String, String)] = []
  ) async throws -> TestResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return TestResponse(
      status: Int(response.status.code),
      headers: response.headers,
      body: String(buffer: bytes)
    )
  }
}

/// Writes a file the way each kind of tool does, for the watcher's sake.
enum WritePattern: String, CaseIterable, Sendable {
  /// Truncate and write in place (`echo > file`, many editors' "write in place").
  case inPlace
  /// Write a temporary file in the same directory, then rename it over (vim, the CLI).
  case renameOver
  /// Delete the file, then create it anew.
  case deleteThenCreate

  func write(_ text: String, to path: String) throws {
    switch self {
    case .inPlace:
      guard let handle = FileHandle(forWritingAtPath: path) else { throw TestFailure("cannot open \(path)") }
      try handle.truncate(atOffset: 0)
      try handle.write(contentsOf: Data(text.utf8))
      try handle.close()
    case .renameOver:
      let temporary = path + ".tmp-\(UUID().uuidString)"
      try text.write(toFile: temporary, atomically: false, encoding: .utf8)
      guard rename(temporary, path) == 0 else { throw TestFailure("rename failed: \(errno)") }
    case .deleteThenCreate:
      try FileManager.default.removeItem(atPath: path)
      guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        throw TestFailure("cannot create \(path)")
      }
    }
  }
}
