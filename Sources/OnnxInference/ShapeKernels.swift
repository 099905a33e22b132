/// Runs a compiled Reshape.
struct ReshapeKernel: Kernel {
  let label: String
  let input: Int
  let shape: Int
  let output: Int
  let allowZero: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    guard case .int64(let requested) = values[shape].storage else {
      throw OnnxError(.runtimeFailure, "\(label): the shape input must be INT64")
    }
    var result = values.reusableShape(output)
    var inferred: Int? = nil
    for (index, dim) in requested.enumerated() {
      if dim == -1 {
        guard inferred == nil else {
          throw OnnxError(.runtimeFailure, "\(label): more than one -1 in the shape")
        }
        inferred = index
        result.append(1)
      } else if dim == 0 && !allowZero {
        guard index < tensor.shape.count else {
          throw OnnxError(
            .runtimeFailure,
            "\(label): shape entry 0 at axis \(index) has no input axis to copy"
          )
        }
        result.append(tensor.shape[index])
      } else {
        guard dim >= 0, dim <= Int64(Int32.max) else {
          throw OnnxError(.runtimeFailure, "\(label): invalid shape entry \(dim)")
        }
        result.append(Int(dim))
      }
    }
    guard let known = Tensor.elementCount(of: result) else {
      throw OnnxError(.runtimeFailure, "\(label): shape \(requested) overflows")
    }
    if let inferred {
      guard known > 0, tensor.elementCount % known == 0 else {
        throw OnnxError(.runtimeFailure, "\(label): cannot reshape \(tensor.shape) to \(requested)")
      }
      result[inferred] = tensor.elementCount / known
    } else {
      guard known == tensor.elementCount else {
        throw OnnxError(.runtimeFailure, "\(label): cannot reshape \(tensor.shape) to \(requested)")
      }
    }
    values[output] = Tensor(validShape: result, storage: tensor.storage)
  }
}

/// Runs a compiled Flatten.
struct FlattenKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let axis: Int

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    let split = try normalizedAxis(axis, rank: tensor.shape.count, inclusive: true, label)
    let outer = tensor.shape[..<split].reduce(1, *)
    let inner = tensor.shape[split...].reduce(1, *)
    values[output] = Tensor(validShape: [outer, inner], storage: tensor.storage)
  }
}

/// Runs a compiled Concat.
struct ConcatKernel: Kernel {
  let label: String
  let inputs: [Int]
  let output: Int
  let axis: Int

  private struct Join: StorageTransform {
    let parts: [Tensor.Storage]
    let blocks: [Int]
    let outer: Int

    func apply<T: Sendable>(_ first: [T]) throws(OnnxError) -> [T] {
      var arrays: [[T]] = []
      for part in parts {
        guard let array = part.array(of: T.self) else {
          throw OnnxError(.runtimeFailure, "Concat inputs have different element types")
        }
        arrays.append(array)
      }
      var result: [T] = []
      result.reserveCapacity(blocks.reduce(0, +) * outer)
      for row in 0..<outer {
        for (index, array) in arrays.enumerated() {
          let block = blocks[index]
          result.append(contentsOf: array[row * block..<(row + 1) * block])
        }
      }
      return result
    }
  }

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let first = values[inputs[0]]
    let rank = first.shape.count
    let axis = try normalizedAxis(self.axis, rank: rank, label)
    var shape = first.shape
    shape[axis] = 0
    var blocks: [Int] = []
    var parts: [Tensor.Storage] = []
    for slot in inputs {
      let tensor = values[slot]
      try requireShape(tensor.shape.count == rank, label, "inputs have different ranks")
      for dim in 0..<rank where dim != axis {
        try requireShape(
          tensor.shape[dim] == first.shape[dim],
          label,
          "input shapes \(first.shape) and \(tensor.shape) differ off the axis"
        )
      }
      shape[axis] += tensor.shape[axis]
      blocks.append(tensor.shape[axis...].reduce(1, *))
      parts.append(tensor.storage)
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let storage = try first.storage.transformed(Join(parts: parts, blocks: blocks, outer: outer))
    values[output] = Tensor(validShape: shape, storage: storage)
  }
}

/// Runs a compiled Gather.
struct GatherKernel: Kernel {
  let label: String
  let data: Int
  let indices: Int
  let output: Int
  let axis: Int

  private struct Pick: StorageTransform {
    let indices: [Int]
    let outer: Int
    let axisSize: Int
    let inner: Int

    func apply<T: Sendable>(_ values: [T]) throws(OnnxError) -> [T] {
      var result: [T] = []
      result.reserveCapacity(outer * indices.count * inner)
      for block in 0..<outer {
        for index in indices {
          let start = (block * axisSize + index) * inner
          result.append(contentsOf: values[start..<start + inner])
        }
      }
      return result
    }
  }

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[data]
    let indexTensor = values[indices]
    let axis = try normalizedAxis(self.axis, rank: tensor.shape.count, label)
    guard var picks = indexTensor.storage.indices() else {
      throw OnnxError(.runtimeFailure, "\(label): indices must be INT64 or INT32")
    }
    let axisSize = tensor.shape[axis]
    for position in picks.indices {
      var index = picks[position]
      if index < 0 { index += axisSize }
      guard index >= 0, index < axisSize else {
        throw OnnxError(
          .runtimeFailure,
          "\(label): index \(picks[position]) is out of range for axis size \(axisSize)"
        )
      }
      picks[position] = index
    }
    let outer = tensor.shape[..<axis].reduce(1, *)
    let inner = tensor.shape[(axis + 1)...].reduce(1, *)
    let storage = try tensor.storage.transformed(
      Pick(indices: picks, outer: outer, axisSize: axisSize, inner: inner)
    )
    let shape = Array(tensor.shape[..<axis]) + indexTensor.shape + Array(tensor.shape[(axis + 1)...])
    values[output] = Tensor(validShape: shape, storage: storage)
  }
}
