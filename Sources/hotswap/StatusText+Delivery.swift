import Foundation

extension StatusText {
  /// The guard and rollout lines of `hotswap status`, plus the live numbers per slot.
  static func deliveryLines(_ document: [String: Any]) -> [String] {
    var lines: [String] = []
    for slot in document["slots"] as? [[String: Any]] ?? [] {
      guard let stats = slot["stats"] as? [String: Any] else { continue }
      let rate = (stats["requests_per_second"] as? Double) ?? 0
      let p99 = (stats["p99_ms"] as? Double).map { String(format: "%.2f ms", $0) } ?? "–"
      let errors = ((stats["error_rate"] as? Double) ?? 0) * 100
      lines.append(
        "  \(slot["name"] ?? "?"): \(String(format: "%.1f", rate)) req/s, p99 \(p99), errors \(String(format: "%.1f", errors)) % (last 10 s)"
      )
    }
    if let guardState = document["guard"] as? [String: Any] {
      let state = (guardState["state"] as? String) ?? "?"
      lines.append(
        "guard:      \(state.uppercased() == "TRIPPED" ? "TRIPPED" : state), stable \(guardState["stable"] ?? "–")"
      )
      for trip in guardState["trips"] as? [[String: Any]] ?? [] {
        lines.append(
          "  \(trip["slot"] ?? "?") → \(trip["stable"] ?? "?") at \(trip["time"] ?? "?"): \(trip["reason"] ?? "")"
        )
      }
    } else {
      lines.append("guard:      off")
    }
    if let rollout = document["rollout"] as? [String: Any] {
      var line =
        "rollout:    \(rollout["slot"] ?? "?") \(rollout["state"] ?? "?"), step \(rollout["step"] ?? "?") of "
      line += "\(rollout["step_count"] ?? "?") at \(rollout["percent"] ?? "?") %"
      if let left = rollout["seconds_to_next_step"] as? Double {
        line += ", next step in \(Int(left.rounded())) s"
      }
      lines.append(line)
    }
    return lines
  }
}
