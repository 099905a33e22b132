import HotswapCore
import HotswapJSON
import HotswapServer

extension StatusText {
  /// The guard and rollout lines of `hotswap status`, plus the live numbers per slot.
  static func deliveryLines(_ document: JSONObject) -> [String] {
    var lines: [String] = []
    for slot in document["slots"]?.objectElements ?? [] {
      guard let stats = slot["stats"]?.object else { continue }
      let rate = stats["requests_per_second"]?.doubleValue ?? 0
      let p99 = stats["p99_ms"]?.doubleValue.map { FixedPoint.format($0, decimals: 2) + " ms" } ?? "–"
      let errors = (stats["error_rate"]?.doubleValue ?? 0) * 100
      lines.append(
        "  \(text(slot["name"], "?")): \(FixedPoint.format(rate, decimals: 1)) req/s, p99 \(p99), errors \(FixedPoint.format(errors, decimals: 1)) % (last 10 s)"
      )
    }
    if let guardState = document["guard"]?.object {
      let state = guardState["state"]?.string ?? "?"
      lines.append(
        "guard:      \(state.uppercased() == "TRIPPED" ? "TRIPPED" : state), stable \(text(guardState["stable"], "–"))"
      )
      for trip in guardState["trips"]?.objectElements ?? [] {
        lines.append(
          "  \(text(trip["slot"], "?")) → \(text(trip["stable"], "?")) at \(text(trip["time"], "?")): \(text(trip["reason"], ""))"
        )
      }
    } else {
      lines.append("guard:      off")
    }
    if let rollout = document["rollout"]?.object {
      var line =
        "rollout:    \(text(rollout["slot"], "?")) \(text(rollout["state"], "?")), step \(text(rollout["step"], "?")) of "
      line += "\(text(rollout["step_count"], "?")) at \(text(rollout["percent"], "?")) %"
      if let left = rollout["seconds_to_next_step"]?.doubleValue {
        line += ", next step in \(Int(left.rounded())) s"
      }
      lines.append(line)
    }
    return lines
  }
}
