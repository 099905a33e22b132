import OnnxInference

/// How a flat list of features maps onto a model's input tensors, and how its outputs read as a
/// prediction. Derived once when a model loads, so the request path does no graph inspection.
public struct ModelSchema: Sendable, Equatable {
  /// How features become input tensors.
  public enum Layout: Sendable, Equatable {
    /// One `[N, F]` numeric input (the usual skl2onnx form).
    case matrix(dataType: TensorDataType)
    /// One `[N, 1]` input per feature, in feature order (ColumnTransformer-style models).
    case columns(dataTypes: [TensorDataType])
    /// The model's inputs are not a feature list; only the tensor protocols can call it.
    case tensorsOnly(reason: String)
  }

  /// How outputs become a prediction.
  public enum Reading: Sendable, Equatable {
    case classifier(labelOutput: Int, probabilitiesOutput: Int?, classes: [String])
    case regressor(valueOutput: Int)
    case firstOutput
  }

  /// Feature names in input order: the model's metadata, else its input names, else `f0…`.
  public let featureNames: [String]
  /// Input layout.
  public let layout: Layout
  /// Output reading.
  public let reading: Reading
  /// Human class names in class order, when the model's metadata has them.
  public let classNames: [String]?
  /// Whether `null` (missing) features are accepted: the model imputes or routes missing values.
  public let acceptsMissingValues: Bool

  /// Number of features per row.
  public var featureCount: Int { featureNames.count }

  /// Derives the schema of a loaded session.
  public init(session: InferenceSession) {
    let metadata = session.metadata
    let inputs = session.inputs
    var names: [String] = []
    var layout: Layout
    if inputs.count == 1, inputs[0].shape.count == 2, inputs[0].dataType != .string {
      let declared = inputs[0].shape[1]
      let count = declared ?? metadata.featureNames?.count
      if let count, count > 0 {
        layout = .matrix(dataType: inputs[0].dataType)
        if let fromMetadata = metadata.featureNames, fromMetadata.count == count {
          names = fromMetadata
        } else {
          names = (0..<count).map { "f\($0)" }
        }
      } else {
        layout = .tensorsOnly(
          reason:
            "input '\(inputs[0].name)' has no fixed feature count and the model has no feature_names metadata"
        )
      }
    } else if !inputs.isEmpty, inputs.allSatisfy({ $0.shape.count == 2 && $0.shape[1] == 1 }) {
      layout = .columns(dataTypes: inputs.map(\.dataType))
      names = inputs.map(\.name)
    } else {
      let shapes = inputs.map { "'\($0.name)' \($0.shape.map { $0.map(String.init) ?? "N" })" }
      layout = .tensorsOnly(
        reason:
          "inputs \(shapes.joined(separator: ", ")) are neither one [N, F] matrix nor one [N, 1] column per feature"
      )
    }
    self.layout = layout
    self.featureNames = names
    switch session.task {
    case .classifier(let label, let probabilities, let classes):
      reading = .classifier(labelOutput: label, probabilitiesOutput: probabilities, classes: classes)
    case .regressor(let output):
      reading = .regressor(valueOutput: output)
    case .other:
      reading = .firstOutput
    }
    if case .classifier(_, _, let classes) = reading, let labels = metadata.classLabels,
      labels.count == classes.count
    {
      classNames = labels
    } else {
      classNames = nil
    }
    // Imputers, or trees trained to route NaN (HistGradientBoosting), handle `null` features.
    acceptsMissingValues = session.handlesMissingValues
  }
}
