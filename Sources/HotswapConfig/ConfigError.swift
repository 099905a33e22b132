/// One problem in a config file, with the file, the line (when one applies) and the reason.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file the problem is in, as given to the parser or editor.
  public let file: String
  /// The 1-based line of the problem, or `nil` for whole-file problems (such as no slots at all).
  public let line: Int?
  /// What is wrong and how to fix it.
  public let message: String

  /// Creates an error for `file`, optionally at `line`. A message longer than
  /// ``ConfigLimits/maxMessageBytes`` (one quoting a huge key) is cut, saying so.
  public init(file: String, line: Int?, message: String) {
    self.file = file
    self.line = line
    self.message = Self.bounded(message)
  }

  private static func bounded(_ message: String) -> String {
    let limit = ConfigLimits.maxMessageBytes
    guard message.utf8.count > limit else { return message }
    let bytes = Array(message.utf8)
    var end = limit
    while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // Not inside a UTF-8 sequence.
    return String(decoding: bytes[..<end], as: UTF8.self) + "… (\(bytes.count - end) more bytes)"
  }

  /// `file:line: message`, or `file: message` when there is no line.
  public var description: String {
    if let line { "\(file):\(line): \(message)" } else { "\(file): \(message)" }
  }
}

/// Every problem found in one config file; a plan with any of them is rejected as a whole.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
  /// The problems, in file order (whole-file problems last).
  public let errors: [ConfigError]

  /// Wraps a list of problems.
  public init(_ errors: [ConfigError]) {
    self.errors = errors
  }

  /// Wraps a list of problems.
  public init(errors: [ConfigError]) {
    self.errors = errors
  }

  /// The first ``ConfigLimits/maxReportedErrors`` problems, and one line counting the rest: a
  /// file with 10 000 unknown keys does not produce 10 000 log lines and audit entries.
  init(reporting errors: [ConfigError], file: String) {
    let limit = ConfigLimits.maxReportedErrors
    guard errors.count > limit else {
      self.errors = errors
      return
    }
    let more = ConfigError(
      file: file,
      line: nil,
      message: "and \(errors.count - limit) more problems (only the first \(limit) are reported)"
    )
    self.errors = Array(errors.prefix(limit)) + [more]
  }

  /// One problem per line.
  public var description: String {
    errors.map(\.description).joined(separator: "\n")
  }
}
