import FoundationEssentials
import HotswapCore
import HotswapProtos
import OnnxInference

/// Converts between the gRPC inference messages and the wire-independent `InferRequest` /
/// `InferResult`. Inputs come from `raw_input_contents` (one buffer per input, in order) or from
/// typed `contents`; outputs always go to `raw_output_contents`, the only place the Triton client
/// reads them from.
enum GRPCInferMessages {
  /// The request's tensors.
  static func request(_ message: Inference_ModelInferRequest) throws(InferenceError) -> InferRequest {
    let raw = message.rawInputContents
    guard raw.isEmpty || raw.count == message.inputs.count else {
      throw InferenceError(
        .invalidArgument,
        "raw_input_contents has \(raw.count) buffers but the request has \(message.inputs.count) inputs; send one per input"
      )
    }
    var inputs: [InferInput] = []
    inputs.reserveCapacity(message.inputs.count)
    for (index, input) in message.inputs.enumerated() {
      let payload: InferInput.Payload
      if !raw.isEmpty {
        guard !input.hasContents else {
          throw InferenceError(
            .invalidArgument,
            "input '\(input.name)' has both contents and raw_input_contents; send one"
          )
        }
        payload = .raw([UInt8](raw[index]))
      } else if input.hasContents {
        payload = try typed(input)
      } else {
        throw InferenceError(
          .invalidArgument,
          "input '\(input.name)' has no data; set raw_input_contents or contents"
        )
      }
      inputs.append(
        InferInput(name: input.name, datatype: input.datatype, shape: input.shape, payload: payload)
      )
    }
    let outputs = message.outputs.isEmpty ? nil : message.outputs.map { InferRequestedOutput(name: $0.name) }
    return InferRequest(id: message.id.isEmpty ? nil : message.id, inputs: inputs, outputs: outputs)
  }

  private static func typed(
    _ input: Inference_ModelInferRequest.InferInputTensor
  ) throws(InferenceError) -> InferInput.Payload {
    let contents = input.contents
    guard let dataType = TensorDataType(rawValue: input.datatype) else {
      let known = TensorDataType.allCases.map(\.rawValue).joined(separator: ", ")
      throw InferenceError(
        .invalidArgument,
        "input '\(input.name)' has unknown datatype '\(input.datatype)'; supported datatypes are \(known)"
      )
    }
    switch dataType {
    case .float: return .typed(.float(contents.fp32Contents))
    case .double: return .typed(.double(contents.fp64Contents))
    case .int64: return .typed(.int64(contents.int64Contents))
    case .int32: return .typed(.int32(contents.intContents))
    case .bool: return .typed(.bool(contents.boolContents))
    case .string:
      var strings: [String] = []
      strings.reserveCapacity(contents.bytesContents.count)
      for (index, element) in contents.bytesContents.enumerated() {
        guard let text = String(data: element, encoding: .utf8) else {
          throw InferenceError(
            .invalidArgument,
            "input '\(input.name)': bytes_contents[\(index)] is not valid UTF-8"
          )
        }
        strings.append(text)
      }
      return .typed(.string(strings))
    }
  }

  /// The response for `result`, served by `model` at `version`.
  static func response(_ result: InferResult, model: String, version: String) -> Inference_ModelInferResponse
  {
    var response = Inference_ModelInferResponse()
    response.modelName = model
    response.modelVersion = version
    if let id = result.id { response.id = id }
    response.outputs = result.outputs.map { output in
      var tensor = Inference_ModelInferResponse.InferOutputTensor()
      tensor.name = output.name
      tensor.datatype = output.tensor.dataType.rawValue
      tensor.shape = output.tensor.shape.map(Int64.init)
      return tensor
    }
    response.rawOutputContents = result.outputs.map { Data(RawTensorBytes.encode($0.tensor.storage)) }
    return response
  }
}
