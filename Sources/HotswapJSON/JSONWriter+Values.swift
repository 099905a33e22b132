/// Values documents such as `/status` write often: ones that may be absent, written `null` (no
/// rollout's next step, no p99 before the first request) instead of leaving the key out, and
/// arrays of strings.
extension JSONWriter {
  /// A string value, or `null` without one.
  public mutating func string(orNull value: String?) {
    if let value { string(value) } else { null() }
  }

  /// A floating-point value, or `null` without one (or when it is not finite, as `number` does).
  public mutating func number(orNull value: Double?) {
    if let value { number(value) } else { null() }
  }

  /// An integer value, or `null` without one.
  public mutating func integer(orNull value: Int64?) {
    if let value { integer(value) } else { null() }
  }

  /// An array of strings.
  public mutating func strings(_ values: some Sequence<String>) {
    beginArray()
    for value in values { string(value) }
    endArray()
  }
}
