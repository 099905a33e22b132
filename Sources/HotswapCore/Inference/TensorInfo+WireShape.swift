import OnnxInference

extension TensorInfo {
  /// The shape as the Open Inference Protocol writes it: -1 for a dynamic axis (metadata
  /// documents and the errors that name an expected shape).
  public var wireShape: [Int64] {
    shape.map { $0.map(Int64.init) ?? -1 }
  }
}
