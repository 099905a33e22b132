/// One `[slots.<name>]` table: which model file the slot holds.
public struct SlotSpec: Sendable, Equatable {
  /// The slot's name (`[a-z0-9_-]+`).
  public let name: String
  /// The model file as an absolute path, resolved against the config file's directory without
  /// resolving symlinks (the watcher depends on the path as written).
  public let modelPath: String
  /// The `model` value exactly as written in the file.
  public let configuredModel: String
  /// The `version` value, or `nil` to use the model's metadata, else its folder name.
  public let version: String?
  /// The line of the slot's table header (or its first key) in the config file.
  public let line: Int

  /// Creates a slot description.
  public init(name: String, modelPath: String, configuredModel: String, version: String?, line: Int) {
    self.name = name
    self.modelPath = modelPath
    self.configuredModel = configuredModel
    self.version = version
    self.line = line
  }
}
