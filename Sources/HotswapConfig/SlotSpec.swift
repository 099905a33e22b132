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
  /// The line of the slot's `model =` key (the table's line when the key is not on its own line,
  /// as in an inline table): a load error points at the line to edit.
  public let modelLine: Int

  /// Creates a slot description; `modelLine` defaults to `line`.
  public init(
    name: String,
    modelPath: String,
    configuredModel: String,
    version: String?,
    line: Int,
    modelLine: Int? = nil
  ) {
    self.name = name
    self.modelPath = modelPath
    self.configuredModel = configuredModel
    self.version = version
    self.line = line
    self.modelLine = modelLine ?? line
  }
}
