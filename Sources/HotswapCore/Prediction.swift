/// The model's answer for one input row.
public struct Prediction: Sendable, Equatable {
  /// A predicted label or value, in the type the model produced.
  public enum Value: Sendable, Equatable {
    case integer(Int64)
    case string(String)
    case number(Double)
    case numbers([Double])
  }

  /// The predicted class label (classifiers) or value (regressors).
  public var value: Value
  /// The human-readable class name from the model's metadata, when it has one.
  public var className: String?
  /// The probability of the predicted class (classifiers with a probability output).
  public var confidence: Double?
  /// Probability per class, in the model's class order (classifiers with a probability output).
  public var probabilities: [Double]?

  /// Creates a prediction.
  public init(
    value: Value,
    className: String? = nil,
    confidence: Double? = nil,
    probabilities: [Double]? = nil
  ) {
    self.value = value
    self.className = className
    self.confidence = confidence
    self.probabilities = probabilities
  }
}
