#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as text with a fixed count of decimals, exactly as C's `printf("%*.*f")` writes them
/// (round to nearest on the binary value, ties to even, `-0.0` keeps its sign, `nan`, `inf`), so
/// output matches what `String(format:)` used to give.
public enum FixedPoint {
  /// `value` with `decimals` digits after the point, right-aligned with spaces to `width`
  /// characters: `format(99.95, decimals: 1, width: 5)` is `String(format: "%5.1f", 99.95)`.
  public static func format(_ value: Double, decimals: Int, width: Int = 0) -> String {
    let specifier = "%\(max(0, width)).\(max(0, decimals))f"
    var capacity = 64
    while true {
      var buffer = [CChar](repeating: 0, count: capacity)
      let length = withVaList([value]) { arguments in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, capacity, specifier, arguments) }
      }
      guard length >= 0 else { return "\(value)" }
      if Int(length) < capacity {
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
      capacity = Int(length) + 1
    }
  }
}
