import Foundation

/// A JSON value with ordered object keys and exact number formatting.
indirect enum JSONValue {
  case null
  case bool(Bool)
  case int(Int64)
  /// A float printed with 9 significant digits (round-trips FP32); NaN/inf print as null.
  case float(Float)
  /// A double printed with 17 significant digits (round-trips FP64); NaN/inf print as null.
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])
}

/// Renders `JSONValue`s as compact JSON text.
enum JSONWriter {
  /// The JSON text of `value`.
  static func render(_ value: JSONValue) -> String {
    var out = ""
    write(value, into: &out)
    return out
  }

  private static func write(_ value: JSONValue, into out: inout String) {
    switch value {
    case .null: out += "null"
    case .bool(let flag): out += flag ? "true" : "false"
    case .int(let number): out += String(number)
    case .float(let number): out += number.isFinite ? String(format: "%.9g", Double(number)) : "null"
    case .double(let number): out += number.isFinite ? String(format: "%.17g", number) : "null"
    case .string(let text): writeString(text, into: &out)
    case .array(let items):
      out += "["
      for (index, item) in items.enumerated() {
        if index > 0 { out += "," }
        write(item, into: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (index, (key, item)) in members.enumerated() {
        if index > 0 { out += "," }
        writeString(key, into: &out)
        out += ":"
        write(item, into: &out)
      }
      out += "}"
    }
  }

  private static func writeString(_ text: String, into out: inout String) {
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
