import FoundationEssentials
import HotswapCore
import Logging
import Synchronization

/// Writes one logfmt line per event to stdout (journald-friendly): `time=… level=info
/// msg="plan applied" plan.generation=3 …`. Metadata keys are dotted; values are quoted when they
/// need to be.
struct LogfmtLogHandler: LogHandler {
  private static let output = Mutex(())

  let label: String
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]
  let includeTime: Bool

  init(label: String, level: Logger.Level, includeTime: Bool) {
    self.label = label
    self.logLevel = level
    self.includeTime = includeTime
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var line = ""
    if includeTime {
      line += "time=" + Self.timestamp() + " "
    }
    line += "level=\(event.level) msg=\(Self.quote(event.message.description))"
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    for key in merged.keys.sorted() {
      line += " \(key)=\(Self.quote("\(merged[key]!)"))"
    }
    line += "\n"
    Self.output.withLock { _ in
      StandardStream.output(line)
    }
  }

  static func quote(_ value: String) -> String {
    let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
    guard needsQuotes else { return value }
    var escaped = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\\": escaped += "\\\\"
      case "\"": escaped += "\\\""
      case "\n": escaped += "\\n"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    return "\"\(escaped)\""
  }

  private static func timestamp() -> String {
    ISO8601Time.string(from: Date(), fractionalSeconds: true)
  }
}
