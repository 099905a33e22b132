import HotswapJSON
import OnnxInference

/// One Open Inference Protocol inference request, independent of the wire (REST JSON, REST binary
/// extension, gRPC) it came from.
public struct InferRequest: Sendable {
  /// The client's request id, echoed in the response.
  public var id: String?
  /// The input tensors as sent.
  public var inputs: [InferInput]
  /// The outputs asked for, in order; nil for every output of the model.
  public var outputs: [InferRequestedOutput]?
  /// Whether outputs not asking otherwise are returned as binary data (REST only).
  public var binaryOutputs: Bool

  /// Creates a request.
  public init(
    id: String? = nil,
    inputs: [InferInput],
    outputs: [InferRequestedOutput]? = nil,
    binaryOutputs: Bool = false
  ) {
    self.id = id
    self.inputs = inputs
    self.outputs = outputs
    self.binaryOutputs = binaryOutputs
  }
}

/// One input tensor as the wire sent it, not yet checked against the model.
public struct InferInput: Sendable {
  /// Where the elements are.
  public enum Payload: Sendable {
    /// REST JSON `data`: a flat (or nested) array of JSON values in row-major order.
    case json([JSONValue])
    /// Little-endian raw bytes (REST binary extension, gRPC `raw_input_contents`).
    case raw([UInt8])
    /// Already typed elements (gRPC `contents`).
    case typed(Tensor.Storage)
  }

  /// The input's name.
  public var name: String
  /// The datatype as sent (`FP32`, `INT64`, …).
  public var datatype: String
  /// The shape as sent.
  public var shape: [Int64]
  /// The elements.
  public var payload: Payload

  /// Creates an input.
  public init(name: String, datatype: String, shape: [Int64], payload: Payload) {
    self.name = name
    self.datatype = datatype
    self.shape = shape
    self.payload = payload
  }
}

/// An output the client asks for.
public struct InferRequestedOutput: Sendable, Equatable {
  /// The output's name.
  public var name: String
  /// Binary (`true`) or JSON (`false`) for this output; nil follows the request's default.
  public var binary: Bool?

  /// Creates a requested output.
  public init(name: String, binary: Bool? = nil) {
    self.name = name
    self.binary = binary
  }
}

/// The outputs of one inference, in the order to return them.
public struct InferResult: Sendable {
  /// One output.
  public struct Output: Sendable {
    /// The output's name.
    public var name: String
    /// Its value.
    public var tensor: Tensor
    /// Whether REST returns it as binary data.
    public var binary: Bool

    /// Creates an output.
    public init(name: String, tensor: Tensor, binary: Bool) {
      self.name = name
      self.tensor = tensor
      self.binary = binary
    }
  }

  /// The id of the request, if it had one.
  public var id: String?
  /// The outputs.
  public var outputs: [Output]

  /// Creates a result.
  public init(id: String?, outputs: [Output]) {
    self.id = id
    self.outputs = outputs
  }
}
