/// Builders for `ai.onnx.ml` LinearClassifier and LinearRegressor.
enum LinearOperators {
  /// The class labels of a classifier: integers or strings.
  enum Labels: Sendable {
    case ints([Int64])
    case strings([String])

    var count: Int {
      switch self {
      case .ints(let values): values.count
      case .strings(let values): values.count
      }
    }

    /// The label tensor type.
    var dataType: TensorDataType {
      switch self {
      case .ints: .int64
      case .strings: .string
      }
    }

    /// Builds the label tensor from class indices.
    func tensor(indices: [Int]) -> Tensor {
      switch self {
      case .ints(let values):
        Tensor(validShape: [indices.count], storage: .int64(indices.map { values[$0] }))
      case .strings(let values):
        Tensor(validShape: [indices.count], storage: .string(indices.map { values[$0] }))
      }
    }

    /// Stores the labels of the class indices in `indices` (a buffer taken from `slot` with
    /// `reusableInt64s`) as a `[N]` tensor in `slot`; integer labels are written over the indices.
    func store(indices: inout [Int64], in values: inout [Tensor], slot: Int) {
      var shape = values.reusableShape(slot)
      shape.append(indices.count)
      switch self {
      case .ints(let labels):
        indices.withUnsafeMutableBufferPointer { result in
          labels.withUnsafeBufferPointer { labels in
            for i in result.indices { result[i] = labels[Int(result[i])] }
          }
        }
        values[slot] = Tensor(validShape: shape, storage: .int64(indices))
      case .strings(let labels):
        values[slot] = Tensor(validShape: shape, storage: .string(indices.map { labels[Int($0)] }))
      }
    }

    /// Reads `classlabels_ints` / `classlabels_strings` (prefix configurable).
    static func read(
      _ context: NodeContext,
      ints: String = "classlabels_ints",
      strings: String = "classlabels_strings"
    ) throws(OnnxError) -> Labels {
      let intLabels = try context.attributes.ints(ints)
      let stringLabels = try context.attributes.strings(strings)
      if !stringLabels.isEmpty {
        guard intLabels.isEmpty else { throw context.error("has both \(ints) and \(strings)") }
        return .strings(stringLabels)
      }
      guard !intLabels.isEmpty else { throw context.error("has no class labels") }
      return .ints(intLabels)
    }
  }

  /// LinearClassifier: scores = X·Wᵀ + b, label = argmax, then the post transform.
  @Sendable static func classifier(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...2)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let attributes = context.attributes
    let coefficients = try attributes.floats("coefficients")
    var intercepts = try attributes.floats("intercepts")
    let labels = try Labels.read(context)
    let transform = try PostTransform.read(attributes)
    var rows = intercepts.isEmpty ? labels.count : intercepts.count
    if intercepts.isEmpty, labels.count == 2, coefficients.count % 2 != 0 { rows = 1 }
    guard rows > 0, coefficients.count % rows == 0, coefficients.count > 0 else {
      throw context.error("coefficients (\(coefficients.count)) do not split into \(rows) rows")
    }
    guard rows == labels.count || (rows == 1 && labels.count == 2) else {
      throw context.error("has \(rows) coefficient rows for \(labels.count) class labels")
    }
    if intercepts.isEmpty { intercepts = Array(repeating: 0, count: rows) }
    let features = coefficients.count / rows
    try checkFeatures(input, features, context)
    let kernel = LinearClassifierKernel(
      label: context.label,
      input: try context.slot(0),
      outputs: context.outputSlots,
      weights: coefficients,
      intercepts: intercepts,
      features: features,
      rows: rows,
      labels: labels,
      transform: transform
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    return NodeBuild(
      kernel: kernel,
      outputTypes: [
        ValueType(dataType: labels.dataType, shape: [batch]),
        ValueType(dataType: .float, shape: [batch, rows == 1 ? 2 : rows]),
      ]
    )
  }

  /// LinearRegressor: y = X·Wᵀ + b, shape `[N, targets]`.
  @Sendable static func regressor(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let attributes = context.attributes
    let coefficients = try attributes.floats("coefficients")
    var intercepts = try attributes.floats("intercepts")
    let targets = Int(clamping: try attributes.int("targets", default: 1))
    guard targets > 0, coefficients.count % targets == 0, !coefficients.isEmpty else {
      throw context.error("coefficients (\(coefficients.count)) do not split into \(targets) targets")
    }
    if intercepts.isEmpty { intercepts = Array(repeating: 0, count: targets) }
    guard intercepts.count == targets else {
      throw context.error("has \(intercepts.count) intercepts for \(targets) targets")
    }
    let features = coefficients.count / targets
    try checkFeatures(input, features, context)
    let kernel = LinearRegressorKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      weights: coefficients,
      intercepts: intercepts,
      features: features,
      targets: targets,
      transform: try PostTransform.read(attributes)
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: .float, shape: [batch, targets])])
  }

  /// Checks that a statically known feature count matches the model's.
  static func checkFeatures(_ input: ValueType, _ features: Int, _ context: NodeContext) throws(OnnxError) {
    if let shape = input.shape, let last = shape.last, let known = last, known != features {
      throw context.error("expects \(features) features, its input has \(known)")
    }
  }

  /// X·Wᵀ + b for every row of `x` into `out` (`rows` columns).
  static func affine(
    _ x: UnsafeBufferPointer<Float>,
    count: Int,
    weights: UnsafeBufferPointer<Float>,
    intercepts: UnsafeBufferPointer<Float>,
    features: Int,
    columns: Int,
    into out: UnsafeMutableBufferPointer<Float>,
    stride: Int
  ) {
    for row in 0..<count {
      let xBase = row * features
      for column in 0..<columns {
        let wBase = column * features
        var sum: Float = 0
        for feature in 0..<features {
          sum += x[xBase + feature] * weights[wBase + feature]
        }
        out[row * stride + column] = sum + intercepts[column]
      }
    }
  }

  /// Validates `tensor` as `count` rows of `features` and returns the row count.
  static func rows(of tensor: Tensor, features: Int, label: String) throws(OnnxError) -> Int {
    let (rows, cols) = tensor.matrixShape
    guard cols == features, tensor.shape.count <= 2 else {
      throw OnnxError(.runtimeFailure, "\(label): expects [N, \(features)] input, got \(tensor.shape)")
    }
    return rows
  }
}
