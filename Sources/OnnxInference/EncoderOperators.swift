/// Builders for `ai.onnx.ml` LabelEncoder, OneHotEncoder and ArrayFeatureExtractor.
enum EncoderOperators {
  /// LabelEncoder: maps keys to values (strings, int64s or floats) with a default for misses.
  @Sendable static func labelEncoder(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.string, .int64, .float])
    let table = context.opset >= 2 ? try LabelTable.readV2(context) : try LabelTable.readV1(context)
    guard table.keyType == input.dataType else {
      throw context.error("keys are \(table.keyType.rawValue) but the input is \(input.dataType.rawValue)")
    }
    return NodeBuild(
      kernel: LabelEncoderKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        table: table
      ),
      outputTypes: [ValueType(dataType: table.valueType, shape: input.shape)]
    )
  }

  /// OneHotEncoder: `[…]` → `[…, C]` floats; unknown categories give zeros (or fail if zeros = 0).
  @Sendable static func oneHotEncoder(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.string, .int64, .int32, .float, .double])
    let ints = try context.attributes.ints("cats_int64s")
    let strings = try context.attributes.strings("cats_strings")
    let categories: OneHotEncoderKernel.Categories
    if !strings.isEmpty {
      guard input.dataType == .string else {
        throw context.error("has string categories for a numeric input")
      }
      categories = .strings(
        Dictionary(strings.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
      )
    } else {
      guard !ints.isEmpty else { throw context.error("has no categories") }
      guard input.dataType != .string else {
        throw context.error("has integer categories for a string input")
      }
      categories = .ints(
        Dictionary(ints.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
      )
    }
    let count = max(ints.count, strings.count)
    let kernel = OneHotEncoderKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      categories: categories,
      count: count,
      zeros: try context.attributes.int("zeros", default: 1) != 0
    )
    return NodeBuild(
      kernel: kernel,
      outputTypes: [ValueType(dataType: .float, shape: input.shape.map { $0 + [count] })]
    )
  }

  /// ArrayFeatureExtractor: gathers along the last axis; 1-D data `[C]` gives `[1, k]`.
  @Sendable static func arrayFeatureExtractor(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...2, outputs: 1...1)
    let data = try context.type(0)
    _ = try context.type(1, in: [.int64])
    return NodeBuild(
      kernel: ArrayFeatureExtractorKernel(
        label: context.label,
        data: try context.slot(0),
        indices: try context.slot(1),
        output: context.outputSlots[0]
      ),
      outputTypes: [
        ValueType(dataType: data.dataType, shape: data.rank.map { Array(repeating: nil, count: max($0, 2)) })
      ]
    )
  }
}

/// Runs a compiled ArrayFeatureExtractor.
struct ArrayFeatureExtractorKernel: Kernel {
  let label: String
  let data: Int
  let indices: Int
  let output: Int

  private struct Pick: StorageTransform {
    let picks: [Int]
    let rows: Int
    let width: Int

    func apply<T: Sendable>(_ values: [T]) throws(OnnxError) -> [T] {
      var result: [T] = []
      result.reserveCapacity(rows * picks.count)
      for row in 0..<rows {
        for pick in picks { result.append(values[row * width + pick]) }
      }
      return result
    }
  }

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[data]
    let width = tensor.shape.last ?? 1
    let rows = width == 0 ? 0 : tensor.elementCount / width
    if case .int64(let picks) = values[indices].storage,
      tensor.dataType == .int64 || tensor.dataType == .int32
    {
      // The common case (an MLP's class labels picked by ArgMax) without intermediate arrays.
      try requireShape(!picks.isEmpty, label, "indices must be a non-empty INT64 tensor")
      for pick in picks where pick < 0 || pick >= width {
        throw OnnxError(.runtimeFailure, "\(label): index \(pick) is out of range for \(width) columns")
      }
      let storage: Tensor.Storage
      if case .int64(let source) = tensor.storage {
        var result = values.reusableInt64s(output, count: rows * picks.count)
        Self.pick(source, picks, rows: rows, width: width, into: &result)
        storage = .int64(result)
      } else if case .int32(let source) = tensor.storage {
        var result = values.reusableInt32s(output, count: rows * picks.count)
        Self.pick(source, picks, rows: rows, width: width, into: &result)
        storage = .int32(result)
      } else {
        throw OnnxError(.runtimeFailure, "\(label): unexpected data type")
      }
      var shape = values.reusableShape(output)
      if tensor.shape.count <= 1 {
        shape.append(1)
      } else {
        shape.append(contentsOf: tensor.shape.dropLast())
      }
      shape.append(picks.count)
      values[output] = Tensor(validShape: shape, storage: storage)
      return
    }
    guard let picks = values[indices].storage.indices(), !picks.isEmpty else {
      throw OnnxError(.runtimeFailure, "\(label): indices must be a non-empty INT64 tensor")
    }
    for pick in picks where pick < 0 || pick >= width {
      throw OnnxError(.runtimeFailure, "\(label): index \(pick) is out of range for \(width) columns")
    }
    var shape = tensor.shape.count <= 1 ? [1] : Array(tensor.shape.dropLast())
    shape.append(picks.count)
    let storage = try tensor.storage.transformed(Pick(picks: picks, rows: rows, width: width))
    values[output] = Tensor(validShape: shape, storage: storage)
  }
}

extension ArrayFeatureExtractorKernel {
  /// `result[row, i] = source[row, picks[i]]`.
  fileprivate static func pick<T>(
    _ source: [T],
    _ picks: [Int64],
    rows: Int,
    width: Int,
    into result: inout [T]
  ) {
    var at = 0
    for row in 0..<rows {
      for pick in picks {
        result[at] = source[row * width + Int(pick)]
        at += 1
      }
    }
  }
}

/// Runs a compiled OneHotEncoder.
struct OneHotEncoderKernel: Kernel {
  enum Categories: Sendable { case ints([Int64: Int]), strings([String: Int]) }
  let label: String
  let input: Int
  let output: Int
  let categories: Categories
  let count: Int
  let zeros: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    var positions: [Int?] = []
    switch (categories, tensor.storage) {
    case (.strings(let table), .string(let items)):
      positions = items.map { table[$0] }
    case (.ints(let table), let storage):
      guard let numbers = storage.floats() else {
        throw OnnxError(.runtimeFailure, "\(label): expects a numeric input")
      }
      if case .int64(let exact) = storage {
        positions = exact.map { table[$0] }
      } else {
        positions = numbers.map { $0.isFinite ? table[CastKernel.int64(Double($0))] : nil }
      }
    default:
      throw OnnxError(
        .runtimeFailure,
        "\(label): input type \(tensor.dataType.rawValue) does not match the categories"
      )
    }
    guard let total = Optional(positions.count.multipliedReportingOverflow(by: count)), !total.overflow,
      total.partialValue <= Broadcasting.maxElements
    else {
      throw OnnxError(.runtimeFailure, "\(label): output is too large")
    }
    var result = [Float](repeating: 0, count: total.partialValue)
    for (index, position) in positions.enumerated() {
      if let position {
        result[index * count + position] = 1
      } else if !zeros {
        throw OnnxError(.runtimeFailure, "\(label): input value at \(index) is not a known category")
      }
    }
    values[output] = Tensor(validShape: tensor.shape + [count], storage: .float(result))
  }
}
