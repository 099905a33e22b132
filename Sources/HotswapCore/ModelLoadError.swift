/// Why a model could not be loaded; names the file and the reason.
public struct ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The model file.
  public let path: String
  /// What is wrong with it.
  public let reason: String

  /// Creates an error.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  /// "path: reason".
  public var description: String { "\(path): \(reason)" }
}
