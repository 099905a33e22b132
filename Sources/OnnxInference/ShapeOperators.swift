/// Builders for Identity, ZipMap, Cast, Reshape, Flatten, Concat and Gather.
enum ShapeOperators {
  /// Identity: the input, unchanged.
  @Sendable static func identity(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    return NodeBuild(
      kernel: CopyKernel(input: try context.slot(0), output: context.outputSlots[0]),
      outputTypes: [try context.type(0)]
    )
  }

  /// ZipMap: served as its input probability tensor, under the ZipMap output's name.
  @Sendable static func zipMap(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float])
    let labels = try LinearOperators.Labels.read(context, ints: "classlabels_int64s")
    if let shape = input.shape, shape.count == 2, let columns = shape[1], columns != labels.count {
      throw context.error("has \(labels.count) class labels for \(columns) probability columns")
    }
    return NodeBuild(
      kernel: CopyKernel(input: try context.slot(0), output: context.outputSlots[0]),
      outputTypes: [input]
    )
  }

  /// Cast: converts the element type (floats to integers truncate toward zero).
  @Sendable static func cast(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0)
    guard let code = try context.attributes.int("to"),
      let target = ValueType.dataType(onnx: Int32(clamping: code))
    else {
      throw context.error("attribute 'to' is missing or names an unsupported type")
    }
    return NodeBuild(
      kernel: CastKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        to: target
      ),
      outputTypes: [ValueType(dataType: target, shape: input.shape)]
    )
  }

  /// Reshape: the shape comes from the second input; −1 is inferred, 0 copies (unless allowzero).
  @Sendable static func reshape(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...2, outputs: 1...1)
    let input = try context.type(0)
    _ = try context.type(1, in: [.int64])
    let allowZero = try context.attributes.int("allowzero", default: 0) != 0
    var rank: Int? = nil
    if let constant = context.constants[1] { rank = constant.elementCount }
    return NodeBuild(
      kernel: ReshapeKernel(
        label: context.label,
        input: try context.slot(0),
        shape: try context.slot(1),
        output: context.outputSlots[0],
        allowZero: allowZero
      ),
      outputTypes: [ValueType(dataType: input.dataType, shape: rank.map { Array(repeating: nil, count: $0) })]
    )
  }

  /// Flatten: `[d0 … d(axis−1)] × [d(axis) …]` as a matrix.
  @Sendable static func flatten(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0)
    let axis = Int(clamping: try context.attributes.int("axis", default: 1))
    return NodeBuild(
      kernel: FlattenKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        axis: axis
      ),
      outputTypes: [ValueType(dataType: input.dataType, shape: [nil, nil])]
    )
  }

  /// Concat: joins inputs of one element type along `axis`.
  @Sendable static func concat(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1024, outputs: 1...1)
    guard let axis = try context.attributes.int("axis") else {
      throw context.error("attribute 'axis' is required")
    }
    var slots: [Int] = []
    let first = try context.type(0)
    for index in context.inputSlots.indices {
      let type = try context.type(index)
      guard type.dataType == first.dataType else {
        throw context.error(
          "inputs have different types (\(first.dataType.rawValue), \(type.dataType.rawValue))"
        )
      }
      slots.append(try context.slot(index))
    }
    return NodeBuild(
      kernel: ConcatKernel(
        label: context.label,
        inputs: slots,
        output: context.outputSlots[0],
        axis: Int(clamping: axis)
      ),
      outputTypes: [
        ValueType(dataType: first.dataType, shape: first.rank.map { Array(repeating: nil, count: $0) })
      ]
    )
  }

  /// Gather: picks entries along `axis` by index (negative indices count from the end).
  @Sendable static func gather(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...2, outputs: 1...1)
    let data = try context.type(0)
    let indices = try context.type(1, in: [.int64, .int32])
    let axis = Int(clamping: try context.attributes.int("axis", default: 0))
    var shape: [Int?]? = nil
    if let dataRank = data.rank, let indexRank = indices.rank {
      shape = Array(repeating: nil, count: dataRank - 1 + indexRank)
    }
    return NodeBuild(
      kernel: GatherKernel(
        label: context.label,
        data: try context.slot(0),
        indices: try context.slot(1),
        output: context.outputSlots[0],
        axis: axis
      ),
      outputTypes: [ValueType(dataType: data.dataType, shape: shape)]
    )
  }
}

/// Copies a slot (Identity, ZipMap); arrays are shared, not copied.
struct CopyKernel: Kernel {
  let input: Int
  let output: Int

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    values[output] = values[input]
  }
}

/// Normalizes `axis` (negative counts from the end) for a tensor of `rank`, or fails.
func normalizedAxis(_ axis: Int, rank: Int, inclusive: Bool = false, _ label: String) throws(OnnxError) -> Int
{
  let limit = inclusive ? rank + 1 : rank
  let value = axis < 0 ? axis + limit : axis
  guard value >= 0, value < limit else {
    throw OnnxError(.runtimeFailure, "\(label): axis \(axis) is out of range for rank \(rank)")
  }
  return value
}
