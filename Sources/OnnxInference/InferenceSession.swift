import FoundationEssentials
import OnnxProto

/// A loaded, checked and compiled model. Immutable: any number of threads may call `run` at once.
public final class InferenceSession: Sendable {
  /// Upper bound on the size of a model file.
  public static let maxModelBytes = 1 << 30

  /// The graph inputs, in the order `run` takes them.
  public let inputs: [TensorInfo]
  /// The graph outputs, in the order `run` returns them (ZipMap outputs served as tensors).
  public let outputs: [TensorInfo]
  /// What the model says about itself.
  public let metadata: ModelMetadata
  /// What the model predicts.
  public let task: ModelTask
  /// `domain:op@opset` of each operator the graph uses, e.g. `ai.onnx.ml:LinearClassifier@1`.
  public let operators: [String]
  /// Whether the model deals with missing values (NaN) itself: it has an Imputer, or tree nodes
  /// that send NaN down a chosen branch (`missing_value_tracks_true`, as HistGradientBoosting).
  public let handlesMissingValues: Bool

  /// The compiled graph and its pool of per-call workspaces.
  let plan: ExecutionPlan
  private let inputIndex: [String: Int]

  /// Loads a model from the bytes of an ONNX file. Reading the file is the caller's: this module
  /// does no I/O (the server reads model files with its size and file-type checks in HotswapCore).
  public convenience init(bytes: [UInt8]) throws(OnnxError) {
    try self.init(bytes: bytes, fallbackVersion: nil)
  }

  /// Loads a model from the bytes of an ONNX file; `fallbackVersion` (the file's folder name, say)
  /// is its version when its metadata names none.
  public init(bytes: [UInt8], fallbackVersion: String?) throws(OnnxError) {
    guard !bytes.isEmpty else { throw OnnxError(.invalidModel, "the model file is empty") }
    guard bytes.count <= Self.maxModelBytes else {
      throw OnnxError(.invalidModel, "the model is larger than \(Self.maxModelBytes) bytes")
    }
    let model: Onnx_ModelProto
    do {
      model = try Onnx_ModelProto(serializedBytes: bytes)
    } catch {
      throw OnnxError(.invalidModel, "not a valid ONNX file (protobuf decoding failed: \(error))")
    }
    guard model.hasGraph else { throw OnnxError(.invalidModel, "the model has no graph") }
    let opsets = try GraphCompiler.opsets(of: model)
    let compiled = try GraphCompiler.compile(model.graph, opsets: opsets)
    self.plan = compiled.plan
    self.inputs = compiled.inputs
    self.outputs = compiled.outputs
    self.operators = compiled.operators
    self.task = TaskDetector.detect(compiled, nodes: model.graph.node)
    self.handlesMissingValues = model.graph.node.contains { node in
      node.opType == "Imputer"
        || node.attribute.contains { $0.name == "nodes_missing_value_tracks_true" && $0.ints.contains(1) }
    }
    self.metadata = try MetadataReader.read(model, inputs: compiled.inputs, opsets: opsets)
      .withFallbackVersion(fallbackVersion)
    var inputIndex: [String: Int] = [:]
    for (index, input) in compiled.inputs.enumerated() { inputIndex[input.name] = index }
    self.inputIndex = inputIndex
  }

  /// Runs the model. `inputs` in the order of `self.inputs`; returns outputs in the order of `self.outputs`.
  public func run(_ inputs: [Tensor]) throws(OnnxError) -> [Tensor] {
    guard inputs.count == self.inputs.count else {
      throw OnnxError(
        .invalidInput,
        "the model takes \(self.inputs.count) inputs (\(self.inputs.map { "'\($0.name)'" }.joined(separator: ", "))), "
          + "got \(inputs.count)"
      )
    }
    for (info, tensor) in zip(self.inputs, inputs) {
      try Self.validate(tensor, against: info)
    }
    return try plan.run(inputs)
  }

  /// Runs the model with inputs and outputs keyed by name.
  public func run(named inputs: [String: Tensor]) throws(OnnxError) -> [String: Tensor] {
    for name in inputs.keys where inputIndex[name] == nil {
      throw OnnxError(
        .invalidInput,
        "unknown input '\(name)'; the model's inputs are \(self.inputs.map { "'\($0.name)'" }.joined(separator: ", "))"
      )
    }
    var ordered: [Tensor] = []
    ordered.reserveCapacity(self.inputs.count)
    for info in self.inputs {
      guard let tensor = inputs[info.name] else {
        throw OnnxError(
          .invalidInput,
          "missing input '\(info.name)' (\(info.dataType.rawValue) \(info.shapeDescription))"
        )
      }
      ordered.append(tensor)
    }
    let results = try run(ordered)
    var named: [String: Tensor] = [:]
    for (info, tensor) in zip(outputs, results) { named[info.name] = tensor }
    return named
  }

  /// Checks a tensor's type, rank, fixed dimensions and element count against an input.
  static func validate(_ tensor: Tensor, against info: TensorInfo) throws(OnnxError) {
    let matches =
      tensor.dataType == info.dataType
      && (info.shape.isEmpty || tensor.shape.count == info.shape.count)
      && zip(tensor.shape, info.shape).allSatisfy { $1 == nil || $0 == $1 }
      && Tensor.elementCount(of: tensor.shape) == tensor.elementCount
    guard matches else {
      let got = tensor.dataType == info.dataType ? "" : " (\(tensor.dataType.rawValue))"
      var message =
        "input '\(info.name)' expects shape \(info.shapeDescription) (\(info.dataType.rawValue)), got \(tensor.shape)\(got)"
      if Tensor.elementCount(of: tensor.shape) != tensor.elementCount {
        message += " with \(tensor.elementCount) elements"
      }
      throw OnnxError(.invalidInput, message)
    }
  }
}
