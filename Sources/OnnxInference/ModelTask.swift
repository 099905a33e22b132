/// What a model predicts, as far as its graph tells.
public enum ModelTask: Sendable, Equatable {
  /// A classifier. `labelOutput` and `probabilitiesOutput` index into the session's `outputs`;
  /// `classes` are the raw labels in probability-column order (integers printed as strings).
  case classifier(labelOutput: Int, probabilitiesOutput: Int?, classes: [String])
  /// A regressor whose predictions are in the output at `valueOutput`.
  case regressor(valueOutput: Int)
  /// Anything else (a transformer, an unusual graph).
  case other
}
