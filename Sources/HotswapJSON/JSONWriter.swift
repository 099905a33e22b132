/// Writes JSON straight into bytes, without building a tree: the response path's serializer.
/// Commas are placed automatically; non-finite numbers are written as `null`, except through
/// `tensorNumber`, which writes the literals Triton's JSON uses.
public struct JSONWriter {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8] = []
  private var needsComma: [Bool] = [false]

  /// Creates an empty writer with room for `capacity` bytes.
  public init(capacity: Int = 256) {
    bytes.reserveCapacity(capacity)
  }

  /// `{`
  public mutating func beginObject() {
    separate()
    bytes.append(UInt8(ascii: "{"))
    needsComma.append(false)
  }

  /// `}`
  public mutating func endObject() {
    needsComma.removeLast()
    bytes.append(UInt8(ascii: "}"))
  }

  /// `[`
  public mutating func beginArray() {
    separate()
    bytes.append(UInt8(ascii: "["))
    needsComma.append(false)
  }

  /// `]`
  public mutating func endArray() {
    needsComma.removeLast()
    bytes.append(UInt8(ascii: "]"))
  }

  /// An object key; the next value written is its value.
  public mutating func key(_ key: String) {
    separate()
    appendQuoted(key)
    bytes.append(UInt8(ascii: ":"))
    needsComma[needsComma.count - 1] = false
  }

  /// A string value.
  public mutating func string(_ value: String) {
    separate()
    appendQuoted(value)
  }

  /// A floating-point value (shortest form that round-trips; `null` if not finite).
  public mutating func number(_ value: Double) {
    floatingPoint(value, integralBelow: 1e15)
  }

  /// A single-precision value, printed in its own shortest form (so 0.1f prints as 0.1).
  public mutating func number(_ value: Float) {
    floatingPoint(value, integralBelow: 1e7)
  }

  /// A tensor element as Triton writes one (RapidJSON's `kWriteNanAndInfFlag`): finite values as
  /// `number(_:)` does, non-finite ones as `NaN`, `Infinity` or `-Infinity` — not JSON, but what
  /// the Open Inference Protocol's clients read (Python's `json`, tritonclient, RapidJSON).
  public mutating func tensorNumber(_ value: Double) {
    guard value.isFinite else { return nonFinite(value) }
    number(value)
  }

  /// A single-precision tensor element; see `tensorNumber(_: Double)`.
  public mutating func tensorNumber(_ value: Float) {
    guard value.isFinite else { return nonFinite(value) }
    number(value)
  }

  /// Integral values below `limit` (where the type still holds every integer exactly) print
  /// without a fraction, as an integer would; the rest in the type's own shortest form.
  @inline(__always)
  private mutating func floatingPoint<Value: BinaryFloatingPoint & CustomStringConvertible>(
    _ value: Value,
    integralBelow limit: Value
  ) {
    separate()
    guard value.isFinite else {
      bytes.append(contentsOf: "null".utf8)
      return
    }
    if value == value.rounded(), abs(value) < limit {
      bytes.append(contentsOf: String(Int64(value)).utf8)
    } else {
      bytes.append(contentsOf: value.description.utf8)
    }
  }

  private mutating func nonFinite(_ value: some FloatingPoint) {
    separate()
    let literal: StaticString = value.isNaN ? "NaN" : value.sign == .minus ? "-Infinity" : "Infinity"
    bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }

  /// An integer value.
  public mutating func integer(_ value: Int64) {
    separate()
    bytes.append(contentsOf: String(value).utf8)
  }

  /// A boolean value.
  public mutating func bool(_ value: Bool) {
    separate()
    bytes.append(contentsOf: (value ? "true" : "false").utf8)
  }

  /// `null`.
  public mutating func null() {
    separate()
    bytes.append(contentsOf: "null".utf8)
  }

  /// Writes a parsed value back out.
  public mutating func value(_ value: JSONValue) {
    switch value {
    case .null: null()
    case .bool(let flag): bool(flag)
    case .number(let number, let isInteger):
      if isInteger, let exact = Int64(exactly: number) { integer(exact) } else { self.number(number) }
    case .string(let text): string(text)
    case .array(let elements):
      beginArray()
      for element in elements { self.value(element) }
      endArray()
    case .object(let object):
      beginObject()
      for member in object.members {
        key(member.key)
        self.value(member.value)
      }
      endObject()
    }
  }

  private mutating func separate() {
    if needsComma[needsComma.count - 1] {
      bytes.append(UInt8(ascii: ","))
    } else {
      needsComma[needsComma.count - 1] = true
    }
  }

  private mutating func appendQuoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: [
          0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
        ])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}
