/// Builders for `ai.onnx.ml` Normalizer, Scaler and Imputer.
enum ScalingOperators {
  /// Normalizer: each row divided by its MAX, L1 or L2 norm.
  @Sendable static func normalizer(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let norm = try context.attributes.choice("norm", default: "MAX", allowed: ["MAX", "L1", "L2"])
    let kernel = NormalizerKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      norm: NormalizerKernel.Norm(rawValue: norm)!,
      consume: context.mayConsume(0)
    )
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: .float, shape: input.shape)])
  }

  /// Scaler: `(x − offset) · scale` per column, length-1 arrays broadcast.
  @Sendable static func scaler(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    var offset = try context.attributes.floats("offset")
    var scale = try context.attributes.floats("scale")
    if offset.isEmpty { offset = [0] }
    if scale.isEmpty { scale = [1] }
    let width = max(offset.count, scale.count)
    guard offset.count == width || offset.count == 1, scale.count == width || scale.count == 1 else {
      throw context.error("offset (\(offset.count)) and scale (\(scale.count)) lengths differ")
    }
    if offset.count == 1 { offset = Array(repeating: offset[0], count: width) }
    if scale.count == 1 { scale = Array(repeating: scale[0], count: width) }
    let kernel = ScalerKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      offset: offset,
      scale: scale,
      consume: context.mayConsume(0)
    )
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: .float, shape: input.shape)])
  }

  /// Imputer: replaces a sentinel (NaN by default for floats) by a per-column value.
  @Sendable static func imputer(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .int64])
    let attributes = context.attributes
    let kernel: ImputerKernel
    if input.dataType == .float {
      let values = try attributes.floats("imputed_value_floats")
      guard !values.isEmpty else { throw context.error("has no imputed_value_floats for a float input") }
      kernel = ImputerKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        replacement: .float(
          values: values,
          replaced: try attributes.float("replaced_value_float", default: 0)
        )
      )
    } else {
      let values = try attributes.ints("imputed_value_int64s")
      guard !values.isEmpty else { throw context.error("has no imputed_value_int64s for an int64 input") }
      kernel = ImputerKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        replacement: .int64(values: values, replaced: try attributes.int("replaced_value_int64", default: 0))
      )
    }
    return NodeBuild(kernel: kernel, outputTypes: [input])
  }
}

/// Runs a compiled Normalizer.
struct NormalizerKernel: Kernel {
  enum Norm: String { case max = "MAX", l1 = "L1", l2 = "L2" }
  let label: String
  let input: Int
  let output: Int
  let norm: Norm
  /// Whether the input buffer may be overwritten (its last use).
  let consume: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    var tensor = values.read(input, consume: consume, into: output)
    let (rows, cols) = tensor.matrixShape
    guard var result = tensor.takeFloats() else {
      throw OnnxError(.runtimeFailure, "\(label): expects a numeric input, got \(tensor.dataType.rawValue)")
    }
    result.withUnsafeMutableBufferPointer { out in
      for row in 0..<rows {
        let slice = UnsafeMutableBufferPointer(rebasing: out[row * cols..<(row + 1) * cols])
        var divisor: Float
        switch norm {
        case .max:
          divisor = -Float.infinity
          for value in slice where value > divisor { divisor = value }
        case .l1:
          divisor = 0
          for value in slice { divisor += abs(value) }
        case .l2:
          divisor = 0
          for value in slice { divisor += value * value }
          divisor = divisor.squareRoot()
        }
        guard divisor != 0 else { continue }
        for index in slice.indices { slice[index] /= divisor }
      }
    }
    values[output] = Tensor(validShape: tensor.shape, storage: .float(result))
  }
}

/// Runs a compiled Scaler.
struct ScalerKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let offset: [Float]
  let scale: [Float]
  /// Whether the input buffer may be overwritten (its last use).
  let consume: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    var tensor = values.read(input, consume: consume, into: output)
    let width = offset.count
    let cols = tensor.shape.last ?? 1
    try requireShape(
      width == 1 || cols == width,
      label,
      "expects \(width) columns, input has shape \(tensor.shape)"
    )
    let shape = tensor.shape
    var result: [Float]
    if consume, tensor.dataType == .float {
      result = tensor.takeFloats()!
      result.withUnsafeMutableBufferPointer { out in scale(UnsafeBufferPointer(out), into: out) }
    } else {
      guard let x = tensor.storage.floats() else {
        throw OnnxError(.runtimeFailure, "\(label): expects a numeric input, got \(tensor.dataType.rawValue)")
      }
      result = values.reusableFloats(output, count: x.count)
      x.withUnsafeBufferPointer { x in
        result.withUnsafeMutableBufferPointer { out in scale(x, into: out) }
      }
    }
    values[output] = Tensor(validShape: shape, storage: .float(result))
  }

  /// `out = (x − offset) · scale` per column; `x` and `out` may be the same memory.
  private func scale(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
    let width = offset.count
    offset.withUnsafeBufferPointer { offset in
      scale.withUnsafeBufferPointer { scale in
        if width == 1 {
          for index in out.indices { out[index] = (x[index] - offset[0]) * scale[0] }
          return
        }
        var column = 0
        for index in out.indices {
          out[index] = (x[index] - offset[column]) * scale[column]
          column += 1
          if column == width { column = 0 }
        }
      }
    }
  }
}

/// Runs a compiled Imputer.
struct ImputerKernel: Kernel {
  enum Replacement { case float(values: [Float], replaced: Float), int64(values: [Int64], replaced: Int64) }
  let label: String
  let input: Int
  let output: Int
  let replacement: Replacement

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    let cols = tensor.shape.last ?? 1
    switch (replacement, tensor.storage) {
    case (.float(let imputed, let replaced), .float(var data)):
      try requireShape(imputed.count == 1 || imputed.count == cols, label, "expects \(imputed.count) columns")
      let matchNaN = replaced.isNaN
      for index in data.indices where (matchNaN ? data[index].isNaN : data[index] == replaced) {
        data[index] = imputed.count == 1 ? imputed[0] : imputed[index % cols]
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .float(data))
    case (.int64(let imputed, let replaced), .int64(var data)):
      try requireShape(imputed.count == 1 || imputed.count == cols, label, "expects \(imputed.count) columns")
      for index in data.indices where data[index] == replaced {
        data[index] = imputed.count == 1 ? imputed[0] : imputed[index % cols]
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .int64(data))
    default:
      throw OnnxError(
        .runtimeFailure,
        "\(label): input type \(tensor.dataType.rawValue) does not match the model"
      )
    }
  }
}
