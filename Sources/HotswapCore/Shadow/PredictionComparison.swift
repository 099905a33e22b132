/// How the shadow's prediction for one input row compares with the live one. Pure.
///
/// - Classifiers agree when their labels are equal; the difference is the largest absolute
///   difference of the class probabilities (classes matched by label), when both have them.
/// - Regressors agree when every output differs by at most the tolerance; the difference is the
///   largest absolute difference, the relative difference that over the larger magnitude
///   (`|shadow − live| / max(|shadow|, |live|)`, 0 when both are 0).
/// - Anything else (string outputs, a classifier against a regressor) agrees when equal.
public struct PredictionComparison: Sendable, Equatable {
  /// Whether the two predictions agree.
  public var agrees: Bool
  /// The absolute difference (probabilities for classifiers), nil when it has no meaning.
  public var difference: Double?
  /// The relative difference (regressors only).
  public var relativeDifference: Double?

  /// Creates a comparison.
  public init(agrees: Bool, difference: Double? = nil, relativeDifference: Double? = nil) {
    self.agrees = agrees
    self.difference = difference
    self.relativeDifference = relativeDifference
  }

  /// Compares one row's predictions. `liveClasses` and `shadowClasses` are the models' class
  /// labels in probability order (empty for regressors or when unknown).
  public static func compare(
    live: Prediction,
    shadow: Prediction,
    liveClasses: [String],
    shadowClasses: [String],
    tolerance: Double
  ) -> PredictionComparison {
    switch (live.value, shadow.value) {
    case (.number(let a), .number(let b)):
      return regression([a], [b], tolerance: tolerance)
    case (.numbers(let a), .numbers(let b)):
      return regression(a, b, tolerance: tolerance)
    default:
      let agrees = label(live.value) == label(shadow.value)
      guard let p = live.probabilities, let q = shadow.probabilities else {
        return PredictionComparison(agrees: agrees)
      }
      return PredictionComparison(
        agrees: agrees,
        difference: probabilityDifference(p, liveClasses, q, shadowClasses)
      )
    }
  }

  /// The largest absolute probability difference, classes matched by label (a class only one
  /// model knows has probability 0 in the other); by position when labels are unknown.
  static func probabilityDifference(
    _ p: [Double],
    _ pClasses: [String],
    _ q: [Double],
    _ qClasses: [String]
  )
    -> Double
  {
    if pClasses == qClasses || pClasses.count != p.count || qClasses.count != q.count {
      var largest = 0.0
      for index in 0..<max(p.count, q.count) {
        let a = index < p.count ? p[index] : 0
        let b = index < q.count ? q[index] : 0
        largest = max(largest, distance(a, b))
      }
      return largest
    }
    var largest = 0.0
    for (index, label) in pClasses.enumerated() {
      let other = qClasses.firstIndex(of: label).map { q[$0] } ?? 0
      largest = max(largest, distance(p[index], other))
    }
    for (index, label) in qClasses.enumerated() where !pClasses.contains(label) {
      largest = max(largest, distance(0, q[index]))
    }
    return largest
  }

  private static func regression(
    _ live: [Double],
    _ shadow: [Double],
    tolerance: Double
  ) -> PredictionComparison {
    guard live.count == shadow.count else {
      return PredictionComparison(agrees: false, difference: .infinity, relativeDifference: .infinity)
    }
    var absolute = 0.0
    var relative = 0.0
    for (a, b) in zip(live, shadow) {
      let difference = distance(a, b)
      absolute = max(absolute, difference)
      let scale = max(abs(a), abs(b))
      relative = max(
        relative,
        difference == 0 ? 0 : (scale > 0 && scale.isFinite ? difference / scale : .infinity)
      )
    }
    return PredictionComparison(
      agrees: absolute <= tolerance,
      difference: absolute,
      relativeDifference: relative
    )
  }

  /// `|a − b|`; two NaNs are equal, one NaN is infinitely far from a number.
  private static func distance(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .infinity }
    if a == b { return 0 }
    return abs(a - b)
  }

  /// A label as text, so an integer label and the same label as a string agree.
  static func label(_ value: Prediction.Value) -> String {
    switch value {
    case .integer(let int): return String(int)
    case .string(let string): return string
    case .number(let number):
      return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
    case .numbers(let numbers): return numbers.map { "\($0)" }.joined(separator: ",")
    }
  }
}
