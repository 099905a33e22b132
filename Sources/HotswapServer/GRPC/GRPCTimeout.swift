/// The `grpc-timeout` request header: 1 to 8 ASCII digits and a unit — `H` hours, `M` minutes,
/// `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds (gRPC over HTTP/2,
/// "Requests"). Parsed here, before anything else sees the value: grpc-swift-2's own parser trapped
/// on `-1S`, which ended the process (the hostile-network issue, row 1).
enum GRPCTimeout {
  /// The timeout `text` names, or INVALID_ARGUMENT saying what a valid one looks like.
  static func parse(_ text: String) -> Result<Duration, GRPCStatus> {
    let utf8 = text.utf8
    guard utf8.count >= 2, utf8.count <= 9, let unit = utf8.last else { return .failure(invalid(text)) }
    var value: Int64 = 0
    for byte in utf8.dropLast() {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .failure(invalid(text)) }
      value = value * 10 + Int64(byte - UInt8(ascii: "0"))
    }
    // At most 99 999 999 of any unit: 8 digits cannot overflow any of these products.
    switch unit {
    case UInt8(ascii: "H"): return .success(.seconds(value * 3600))
    case UInt8(ascii: "M"): return .success(.seconds(value * 60))
    case UInt8(ascii: "S"): return .success(.seconds(value))
    case UInt8(ascii: "m"): return .success(.milliseconds(value))
    case UInt8(ascii: "u"): return .success(.microseconds(value))
    case UInt8(ascii: "n"): return .success(.nanoseconds(value))
    default: return .failure(invalid(text))
    }
  }

  /// `duration` for messages: `250ms`, `1.5s`, `30s`.
  static func describe(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    if milliseconds % 1000 == 0 { return "\(seconds)s" }
    var fraction = String(milliseconds % 1000 + 1000).dropFirst()  // three digits, leading zeros kept
    while fraction.last == "0" { fraction = fraction.dropLast() }
    return "\(seconds).\(fraction)s"
  }

  private static func invalid(_ text: String) -> GRPCStatus {
    let shown = text.utf8.count > 32 ? String(text.prefix(32)) + "…" : text
    return GRPCStatus(
      .invalidArgument,
      "grpc-timeout '\(shown)' is not a timeout: send 1 to 8 digits and a unit (H, M, S, m, u or n), e.g. 500m"
    )
  }
}
