/// A byte count for people: "1.2 GiB", "512 KiB", "17 bytes".
public struct ByteCount: Sendable, CustomStringConvertible {
  /// The count.
  public let bytes: Int

  /// Wraps `bytes`.
  public init(_ bytes: Int) { self.bytes = bytes }

  /// The exact count, and the rounded one when they differ: "1288490188 bytes (1.2 GiB)",
  /// "17 bytes".
  public var exact: String {
    bytes < 1024 ? "\(bytes) bytes" : "\(bytes) bytes (\(description))"
  }

  /// "1.2 GiB", "512 KiB", "17 bytes".
  public var description: String {
    let units = ["KiB", "MiB", "GiB", "TiB"]
    guard bytes >= 1024 else { return "\(bytes) bytes" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    let rounded =
      value >= 10 || value == value.rounded()
      ? "\(Int(value.rounded()))" : FixedPoint.format(value, decimals: 1)
    return "\(rounded) \(units[unit])"
  }
}
