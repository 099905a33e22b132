import Foundation
import HotswapConfig

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
      host = listen.host.contains(":") && !listen.host.hasPrefix("[") ? "[\(listen.host)]" : listen.host
    }
    return "http://\(host):\(listen.port)"
  }

  /// The `/status` document.
  func status() async throws -> [String: Any] {
    guard let url = URL(string: baseURL + "/status") else {
      throw StatusClientError("invalid URL \(baseURL)")
    }
    var request = URLRequest(url: url)
    request.timeoutInterval = 2
    let (data, response) = try await URLSession.shared.data(for: request)
    guard (response as? HTTPURLResponse)?.statusCode == 200 else {
      throw StatusClientError("/status did not answer 200")
    }
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw StatusClientError("/status is not a JSON object")
    }
    return object
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
        if let change = document["last_change"] as? [String: Any],
          change["config_sha256"] as? String == sha256
        {
          return .applied("generation \(change["generation"] ?? "?"): \(change["summary"] ?? "")")
        }
        if let error = document["last_error"] as? [String: Any], error["config_sha256"] as? String == sha256 {
          return .rejected(error["errors"] as? [String] ?? [])
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
