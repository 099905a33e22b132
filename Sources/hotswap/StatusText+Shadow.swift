import HotswapCore
import HotswapJSON
import HotswapServer

extension StatusText {
  /// The shadow lines of `hotswap status`: what is shadowed, the window the guard judges and the
  /// totals since the shadow began, latencies beside the live ones, the verdict, the last error.
  static func shadowLines(_ document: JSONObject) -> [String] {
    guard let shadow = document["shadow"]?.object else { return [] }
    var lines: [String] = []
    let slot = text(shadow["slot"], "?")
    let sample = number(shadow["sample_percent"]?.doubleValue, decimals: 0)
    let eligible = number((shadow["mirrored_share"]?.doubleValue ?? 0) * 100, decimals: 0)
    guard shadow["active"] == .bool(true) else {
      lines.append("shadow:     \(slot) not running (the slot is not loaded in this process)")
      return lines
    }
    var head =
      "shadow:     \(slot) \(text(shadow["version"], "?")), \(sample) % of the requests other slots answer"
    head += " (\(eligible) % of traffic), since \(text(shadow["began_at"], "?"))"
    if shadow["restored"] == .bool(true) { head += " (continued after a restart)" }
    lines.append(head)
    if let window = shadow["window"]?.object {
      let seconds = number(window["seconds"]?.doubleValue, decimals: 0)
      lines.append("  last \(seconds) s:  " + summary(window))
      lines += latency(window)
    }
    if let total = shadow["total"]?.object {
      lines.append("  since began: " + summary(total))
    }
    if let queue = shadow["queue"]?.object {
      lines.append(
        "  queue:      \(text(queue["depth"], "0")) of \(text(queue["capacity"], "?")) copies waiting"
      )
    }
    if let verdict = shadow["verdict"]?.object {
      lines.append("  guard:      \(text(verdict["state"], "?")): \(text(verdict["reason"], ""))")
    }
    if let recorded = shadow["disagreements_recorded"]?.doubleValue, (shadow["record"]?.doubleValue ?? 0) > 0
    {
      lines.append("  recorded:   \(Int(recorded)) disagreements (hotswap shadow diffs)")
    }
    if let note = shadow["note"]?.string { lines.append("  note:       \(note)") }
    if let error = shadow["last_error"]?.object {
      lines.append("  LAST SHADOW ERROR (\(text(error["time"], "?"))): \(text(error["message"], ""))")
    }
    return lines
  }

  private static func summary(_ summary: JSONObject) -> String {
    let compared = text(summary["compared"], "0")
    let dropped = text(summary["dropped"], "0")
    let errors = text(summary["errors"], "0")
    var line = "\(compared) compared, \(dropped) dropped, \(errors) errors"
    if let agreement = summary["agreement"]?.doubleValue {
      line +=
        ", agreement \(number(agreement * 100, decimals: 2)) % (\(text(summary["disagreeing"], "0")) of \(text(summary["predictions"], "0")) predictions differ)"
    }
    if let difference = summary["difference"]?.object, let p99 = difference["p99"]?.doubleValue {
      line += ", p99 difference \(number(p99, decimals: 4))"
    }
    return line
  }

  private static func latency(_ window: JSONObject) -> [String] {
    guard let shadow = window["shadow_latency_ms"]?.object, let live = window["live_latency_ms"]?.object
    else {
      return []
    }
    func pair(_ object: JSONObject) -> String {
      "p50 \(number(object["p50"]?.doubleValue, decimals: 3)) ms, p99 \(number(object["p99"]?.doubleValue, decimals: 3)) ms"
    }
    return ["  latency:    shadow \(pair(shadow)) | live \(pair(live))"]
  }

  private static func number(_ value: Double?, decimals: Int) -> String {
    guard let value else { return "–" }
    let text = FixedPoint.format(value, decimals: decimals)
    // A Character, not a String: `contains(String)` is Foundation's and would link all of it.
    guard decimals > 0, text.contains(Character(".")) else { return text }
    var trimmed = text
    while trimmed.hasSuffix("0") { trimmed.removeLast() }
    if trimmed.hasSuffix(".") { trimmed.removeLast() }
    return trimmed
  }
}
