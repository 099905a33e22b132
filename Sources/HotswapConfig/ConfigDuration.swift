/// Durations as the config file writes them: `"500ms"`, `"30s"`, `"2m"`, `"1h"`, or sums such as
/// `"1m30s"`; decimals are allowed (`"1.5s"`).
enum ConfigDuration {
  private static let unitNanoseconds: [(unit: String, nanoseconds: Double)] = [
    ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9),
  ]

  /// The duration `text` denotes, or `nil` if it is not written as numbers with units.
  static func parse(_ text: String) -> Duration? {
    var rest = Substring(text)
    var total = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isASCIIDigit || $0 == "." }
      guard !number.isEmpty, number.first != ".", number.last != ".", let value = Double(number)
      else { return nil }
      rest = rest.dropFirst(number.count)
      let unitText = rest.prefix { $0.isLetter }
      // "ms" before "m": the table is matched on the whole unit text, so order does not matter.
      guard let unit = unitNanoseconds.first(where: { $0.unit == unitText }) else { return nil }
      rest = rest.dropFirst(unitText.count)
      total += value * unit.nanoseconds
    }
    guard total.isFinite, total < 9.2e18 else { return nil }
    return .nanoseconds(Int64(total.rounded()))
  }

  /// A short form for messages: `"1m30s"`, `"500ms"`.
  static func format(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if attoseconds == 0, seconds > 0 {
      var parts: [String] = []
      let (hours, minutes, secs) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
      if hours > 0 { parts.append("\(hours)h") }
      if minutes > 0 { parts.append("\(minutes)m") }
      if secs > 0 { parts.append("\(secs)s") }
      return parts.joined()
    }
    let milliseconds = Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    return "\(NumberText.format(milliseconds))ms"
  }
}

/// Numbers as messages and edited files write them: `90`, not `90.0`.
enum NumberText {
  /// Integral values without a fraction, others in Swift's shortest round-trip form.
  static func format(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
      return String(Int64(value))
    }
    return "\(value)"
  }

  /// A share 0…1 as a percentage with at most two decimals: `90%`, `33.33%`.
  static func percent(_ share: Double) -> String {
    let hundredths = (share * 10_000).rounded()
    return "\(format(hundredths / 100))%"
  }
}
