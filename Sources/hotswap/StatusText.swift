import HotswapCore
import HotswapJSON
import HotswapServer

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
    lines += shadowLines(document)
    return lines.joined(separator: "\n")
  }

  /// `value` as text: strings as they are, integers without a fraction, other numbers in Swift's
  /// shortest form, `true`/`false`; `fallback` when the key is absent or null (no generation
  /// applied yet, an empty slot's version).
  static func text(_ value: JSONValue?, _ fallback: String) -> String {
    switch value {
    case .none, .null?: fallback
    case .string(let text)?: text
    case .number(let number, let isInteger)?:
      isInteger && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    case .bool(let flag)?: String(flag)
    case .array(let values)?: values.map { Self.text($0, "null") }.joined(separator: ", ")
    case .object?: "{…}"
    }
  }

  private static func pad(_ value: JSONValue?, _ width: Int) -> String {
    let text = text(value, "?")
    return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
