import ArgumentParser
import Foundation
import HotswapConfig

/// `hotswap status`: the live state of a running server, for people.
struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the running server's slots, shares, versions, last change and last error."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "The server (default: http://[server] listen from the config file).")
  var url: String?

  @Flag(help: "Print the raw /status JSON.")
  var json = false

  func run() async throws {
    let base = url ?? Self.urlFromConfig(options.path) ?? "http://127.0.0.1:8080"
    let document: [String: Any]
    do {
      document = try await StatusClient(baseURL: base).status()
    } catch {
      FileHandle.standardError.write(Data("hotswap: no server answered at \(base)/status (\(error))\n".utf8))
      throw ExitCode(1)
    }
    if json {
      let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print(StatusText.render(document, url: base))
  }

  static func urlFromConfig(_ path: String) -> String? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      let plan = try? PlanParser.parse(text, file: path).get()
    else { return nil }
    return StatusClient.defaultURL(for: plan.server.listen)
  }
}

/// Renders a `/status` document as text.
enum StatusText {
  static func render(_ document: [String: Any], url: String) -> String {
    var lines: [String] = []
    let server = document["server"] as? [String: Any] ?? [:]
    lines.append("hotswap \(server["version"] ?? "?") at \(url), model '\(server["model_name"] ?? "?")'")
    lines.append("config:     \(document["config_path"] ?? "?")")
    lines.append("generation: \(document["generation"] ?? "none")")
    if let sticky = document["sticky_header"] as? String { lines.append("sticky:     \(sticky)") }
    lines.append("slots:")
    for slot in document["slots"] as? [[String: Any]] ?? [] {
      let share = ((slot["share"] as? Double) ?? 0) * 100
      let sha = (slot["sha256"] as? String).map { String($0.prefix(12)) } ?? "?"
      lines.append(
        "  \(pad(slot["name"], 8)) \(String(format: "%5.1f", share)) %  \(pad(slot["version"], 10)) \(slot["model"] ?? "?")  sha256:\(sha)"
      )
    }
    if let change = document["last_change"] as? [String: Any] {
      lines.append(
        "last change: \(change["time"] ?? "?") generation \(change["generation"] ?? "?"): \(change["summary"] ?? "")"
      )
    }
    if let error = document["last_error"] as? [String: Any] {
      lines.append("LAST ERROR (\(error["time"] ?? "?")); the last good plan keeps serving:")
      for message in error["errors"] as? [String] ?? [] { lines.append("  " + message) }
    } else {
      lines.append("last error: none")
    }
    if let note = document["restart_required"] as? String { lines.append("RESTART REQUIRED: \(note)") }
    lines += deliveryLines(document)
    return lines.joined(separator: "\n")
  }

  private static func pad(_ value: Any?, _ width: Int) -> String {
    let text = value.map { "\($0)" } ?? "?"
    return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
