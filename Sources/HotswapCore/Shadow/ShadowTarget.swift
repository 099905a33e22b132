import FoundationEssentials

/// Which model is being shadowed: the slot and the exact model file it holds. The statistics
/// since the shadow began, its state file and its disagreement sample belong to one target; a
/// new slot or a changed model starts them again.
public struct ShadowTarget: Sendable, Equatable, Codable {
  /// The shadow slot.
  public var slot: String
  /// The version it serves.
  public var version: String
  /// SHA-256 of its model file.
  public var modelSHA256: String

  /// Creates a target.
  public init(slot: String, version: String, modelSHA256: String) {
    self.slot = slot
    self.version = version
    self.modelSHA256 = modelSHA256
  }

  /// The target of a serving slot.
  public init(_ slot: ServingSlot) {
    self.init(slot: slot.name, version: slot.version, modelSHA256: slot.model.sha256)
  }

  enum CodingKeys: String, CodingKey {
    case slot, version
    case modelSHA256 = "model_sha256"
  }
}
