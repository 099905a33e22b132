import OnnxInference

/// Bounds on the sizes a model file declares, checked before anything is sized by them: a model
/// is a file anyone with write access to the model folder can swap, and an input declared as
/// `[N, 2147483647]` would otherwise size the schema and the warm-up run at tens of gigabytes.
public struct ModelLimits: Sendable, Equatable {
  /// The most elements one row of one input may declare (an `[N, F]` input's `F`, the product of
  /// every fixed axis but the batch). 1 048 576 is ten times the widest scikit-learn export we
  /// know of (hashed text features) and far beyond what a request body can carry.
  public var maxRowElements: Int
  /// The most elements the warm-up run may allocate over all inputs together (one row each,
  /// dynamic axes counted as 1): 4 194 304, 32 MiB of doubles.
  public var warmUpElementBudget: Int

  /// The defaults above.
  public static let defaults = ModelLimits(maxRowElements: 1 << 20, warmUpElementBudget: 1 << 22)

  /// Creates limits.
  public init(maxRowElements: Int, warmUpElementBudget: Int) {
    self.maxRowElements = maxRowElements
    self.warmUpElementBudget = warmUpElementBudget
  }

  /// The elements of one row of `input`: the product of its fixed axes, dynamic axes (and the
  /// batch) counted as 1; nil when the product overflows.
  static func rowElements(of input: TensorInfo) -> Int? {
    var count = 1
    for dimension in input.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension ?? 1)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }

  /// Checks every input of a compiled model; the reason names the first input over a limit.
  func check(_ inputs: [TensorInfo]) -> String? {
    var total = 0
    for input in inputs {
      let declared =
        "input '\(input.name)' declares shape \(input.shapeDescription) (\(input.dataType.rawValue))"
      guard let elements = Self.rowElements(of: input) else {
        return "\(declared), whose element count overflows"
      }
      guard elements <= maxRowElements else {
        return "\(declared): \(elements) elements per row; the limit is \(maxRowElements)"
      }
      total += elements
      guard total <= warmUpElementBudget else {
        return
          "the inputs declare \(total) elements for one row (through '\(input.name)'); the warm-up budget is \(warmUpElementBudget)"
      }
    }
    return nil
  }
}
