import HotswapConfig

/// A slot as one snapshot serves it: its loaded model and its share of unpinned traffic.
public struct ServingSlot: Sendable {
  /// The slot's name (`blue`, `green`, …).
  public let name: String
  /// The slot's configuration as the plan wrote it.
  public let spec: SlotSpec
  /// The loaded model.
  public let model: LoadedModel
  /// The slot's weight in the effective traffic split.
  public let weight: Double
  /// The slot's share of unpinned traffic, 0…1.
  public let share: Double

  /// The version this slot reports.
  public var version: String { model.version }

  /// Creates a serving slot.
  public init(name: String, spec: SlotSpec, model: LoadedModel, weight: Double, share: Double) {
    self.name = name
    self.spec = spec
    self.model = model
    self.weight = weight
    self.share = share
  }
}
