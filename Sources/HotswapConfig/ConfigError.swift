/// One problem in a config file, with the file, the line (when one applies) and the reason.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file the problem is in, as given to the parser or editor.
  public let file: String
  /// The 1-based line of the problem, or `nil` for whole-file problems (such as no slots at all).
  public let line: Int?
  /// What is wrong and how to fix it.
  public let message: String

  /// Creates an error for `file`, optionally at `line`.
  public init(file: String, line: Int?, message: String) {
    self.file = file
    self.line = line
    self.message = message
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

  /// One problem per line.
  public var description: String {
    errors.map(\.description).joined(separator: "\n")
  }
}
