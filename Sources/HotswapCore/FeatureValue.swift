/// One feature of one input row, as a client sent it.
public enum FeatureValue: Sendable, Equatable {
  /// A number (JSON numbers arrive as doubles; FP32 inputs round them to float).
  case number(Double)
  /// A string, for models with string (categorical) inputs.
  case string(String)
  /// JSON `null`: the value is missing. Accepted only where the model handles missing values.
  case missing
}
