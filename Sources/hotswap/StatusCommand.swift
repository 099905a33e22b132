import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore
import HotswapServer

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
    let document: JSONObject
    do {
      document = try await StatusClient(baseURL: base).status()
    } catch {
      StandardStream.error("hotswap: no server answered at \(base)/status (\(error))\n")
      throw ExitCode(1)
    }
    if json {
      print(JSONValue.object(document).prettyPrinted())
      return
    }
    print(StatusText.render(document, url: base))
  }

  static func urlFromConfig(_ path: String) -> String? {
    // Only [server]: a file whose traffic or slots are broken still says where the server is.
    guard let server = ConfigRead.read(path).server(configPath: path) else { return nil }
    return StatusClient.defaultURL(for: server.listen)
  }
}

/// Renders a `/status` document as text.
enum StatusText {
  static func render(_ document: JSONObject, url: String) -> String {
    var lines: [String] = []
    let server = document["server"]?.object ?? JSONObject()
    lines.append(
      "hotswap \(text(server["version"], "?")) at \(url), model '\(text(server["model_name"], "?"))'"
    )
    lines.append("config:     \(text(document["config_path"], "?"))")
    lines.append("generation: \(text(document["generation"], "none"))")
    if let sticky = document["sticky_header"]?.string { lines.append("sticky:     \(sticky)") }
    lines.append("slots:")
    for slot in document["slots"]?.objectElements ?? [] {
      let share = (slot["share"]?.doubleValue ?? 0) * 100
      let sha = slot["sha256"]?.string.map { String($0.prefix(12)) } ?? "?"
      lines.append(
        "  \(pad(slot["name"], 8)) \(FixedPoint.format(share, decimals: 1, width: 5)) %  \(pad(slot["version"], 10)) \(text(slot["model"], "?"))  sha256:\(sha)"
      )
    }
    if let change = document["last_change"]?.object {
      lines.append(
        "last change: \(text(change["time"], "?")) generation \(text(change["generation"], "?")): \(text(change["summary"], ""))"
      )
    }
    if let error = document["last_error"]?.object {
      lines.append("LAST ERROR (\(text(error["time"], "?"))); the last good plan keeps serving:")
      for message in error["errors"]?.stringElements ?? [] { lines.append("  " + message) }
    } else {
      lines.append("last error: none")
    }
    if let note = document["restart_required"]?.string { lines.append("RESTART REQUIRED: \(note)") }
    lines += deliveryLines(document)
    return lines.joined(separator: "\n")
  }

  /// `value` as the text the document shows for it, `fallback` when the key is absent or null
  /// (no generation applied yet, an empty slot's version).
  static func text(_ value: JSONValue?, _ fallback: String) -> String {
    switch value {
    case .none, .null?: fallback
    case .some(let value): value.displayText
    }
  }

  private static func pad(_ value: JSONValue?, _ width: Int) -> String {
    let text = text(value, "?")
    return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
