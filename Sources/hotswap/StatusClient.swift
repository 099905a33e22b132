import HotswapConfig
import HotswapJSON
import HotswapServer
import HotswapSystem

/// Talks to a running server's `/status` for `hotswap status` and to confirm edits.
struct StatusClient {
  let baseURL: String

  /// `http://host:port` for a listen address (`0.0.0.0`/`::` become loopback).
  static func defaultURL(for listen: ListenAddress) -> String {
    let host: String
    switch listen.host {
    case "0.0.0.0", "": host = "127.0.0.1"
    case "::", "[::]": host = "[::1]"
    default:
      host =
        listen.host.contains(":" as Character) && !listen.host.hasPrefix("[")
        ? "[\(listen.host)]" : listen.host
    }
    return "http://\(host):\(listen.port)"
  }

  /// The `/status` document.
  func status() async throws -> JSONObject {
    guard let object = try JSONParser.parse(try await statusBody()).object else {
      throw StatusClientError("/status is not a JSON object")
    }
    return object
  }

  /// The `/status` document as the server sent it.
  func statusBody() async throws -> [UInt8] {
    let response: HTTPGetResponse
    do {
      response = try await HTTPGet.fetch(baseURL + "/status", timeout: .seconds(2))
    } catch .invalidURL {
      throw StatusClientError("invalid URL \(baseURL)")
    }
    guard response.status == 200 else {
      throw StatusClientError("/status did not answer 200")
    }
    return response.body
  }

  enum Confirmation {
    case applied(String)
    case rejected([String])
    case unreachable(String)
    case timedOut
  }

  /// Polls until the server reports the config with this SHA-256 as applied or rejected.
  func waitForConfig(sha256: String, timeout: Double) async -> Confirmation {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    var reachedOnce = false
    while ContinuousClock.now < deadline {
      do {
        let document = try await status()
        reachedOnce = true
        if let change = document["last_change"]?.object, change["config_sha256"]?.string == sha256 {
          return .applied(
            "generation \(StatusText.text(change["generation"], "?")): \(StatusText.text(change["summary"], ""))"
          )
        }
        if let error = document["last_error"]?.object, error["config_sha256"]?.string == sha256 {
          return .rejected(error["errors"]?.stringElements ?? [])
        }
      } catch {
        if !reachedOnce { return .unreachable("\(error)") }
      }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return .timedOut
  }
}

struct StatusClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
