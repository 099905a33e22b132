import HotswapJSON
import HotswapServer

/// One prediction log line as `hotswap predictions` prints it:
///
///     2026-12-07T15:41:03.208Z  green v1.1.0  rest predict  pinned  0.129 ms  ok  0 setosa (1.000), 2 virginica (0.953)
enum PredictionLineText {
  /// The line, readable; a line that is not a prediction log object is printed as it is.
  static func describe(_ line: ArraySlice<UInt8>) -> String {
    guard let object = try? JSONParser.parse(line).object else {
      return String(decoding: line, as: UTF8.self)
    }
    func text(_ key: String) -> String { object[key].map(render) ?? "-" }
    var parts = [
      text("time"),
      "\(text("slot")) \(text("version"))",
      "\(text("protocol")) \(text("endpoint"))",
      text("route"),
      "\(text("latency_ms")) ms",
      text("outcome"),
    ]
    if let error = object["error"]?.string {
      parts.append(error)
    } else if let predictions = object["predictions"]?.array {
      let shown = predictions.compactMap(\.object).map { prediction -> String in
        var answer = prediction["prediction"].map(render) ?? "?"
        if let name = prediction["class_name"]?.string { answer += " " + name }
        if let confidence = prediction["confidence"]?.number {
          answer += " (" + fixed(confidence) + ")"
        }
        return answer
      }
      var summary = shown.joined(separator: ", ")
      if case .number(let value, _)? = object["rows"], let rows = Int(exactly: value.rounded(.down)),
        rows > shown.count
      {
        summary += " … (\(rows) rows)"
      }
      parts.append(summary)
    } else if let outputs = object["outputs"]?.array {
      let names = outputs.compactMap { $0.object?["name"]?.string }
      parts.append("outputs " + names.joined(separator: ", "))
    }
    if let key = object["sticky_key"]?.string { parts.append("key=\(key)") }
    return parts.joined(separator: "  ")
  }

  /// A top-level string field of the line.
  static func field(_ key: String, in line: ArraySlice<UInt8>) -> String? {
    (try? JSONParser.parse(line).object)?[key]?.string
  }

  private static func render(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): return text
    case .number(let number, let isInteger):
      if isInteger, let exact = Int64(exactly: number) { return String(exact) }
      return String(number)
    case .bool(let flag): return String(flag)
    case .null: return "null"
    case .array(let values): return "[" + values.map(render).joined(separator: ", ") + "]"
    case .object: return "{…}"
    }
  }

  /// `value` with three decimals; out of range or not finite (a corrupt line), as Swift prints it.
  private static func fixed(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e12 else { return String(value) }
    let thousandths = Int((abs(value) * 1000).rounded())
    let fraction = String(thousandths % 1000)
    let sign = value < 0 && thousandths > 0 ? "-" : ""
    return "\(sign)\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
