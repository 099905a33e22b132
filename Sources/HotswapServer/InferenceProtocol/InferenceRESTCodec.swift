import HotswapCore
import HotswapJSON
import OnnxInference

/// The REST body of `POST /v2/models/{name}/infer`, in JSON or with the binary tensor data
/// extension (a JSON header of `Inference-Header-Content-Length` bytes, then the raw input
/// buffers in input order), and the response in the same two forms. Pure: bytes in, bytes out.
public enum InferenceRESTCodec {
  /// How the JSON part is read: as Triton reads it, with `NaN`, `Infinity` and `-Infinity` (which
  /// tritonclient's JSON mode writes for non-finite FP32/FP64 elements) accepted as numbers.
  public static let jsonOptions = JSONParser.Options(allowsNonFiniteNumbers: true)

  /// Decodes a request body; `headerLength` is the `Inference-Header-Content-Length` value.
  public static func decode(_ body: [UInt8], headerLength: Int?) throws(InferenceError) -> InferRequest {
    let jsonEnd = headerLength ?? body.count
    guard jsonEnd >= 0, jsonEnd <= body.count else {
      throw bad("Inference-Header-Content-Length is \(jsonEnd) but the body has only \(body.count) bytes")
    }
    let root: JSONValue
    do {
      root = try JSONParser.parse(body[0..<jsonEnd], options: jsonOptions)
    } catch {
      throw bad("invalid JSON in the inference request: \(error)")
    }
    guard case .object(let object) = root else {
      throw bad("the inference request must be a JSON object, got \(root.typeName)")
    }
    var binary = BinarySection(bytes: body, offset: jsonEnd)
    var request = InferRequest(inputs: [])
    if let id = object["id"] {
      guard case .string(let text) = id else { throw bad("'id' must be a string, got \(id.typeName)") }
      request.id = text
    }
    request.binaryOutputs = try flag(object["parameters"], "binary_data_output", in: "parameters") ?? false
    guard case .array(let inputs)? = object["inputs"] else {
      throw bad("the request needs an 'inputs' array")
    }
    guard !inputs.isEmpty else { throw bad("'inputs' is empty") }
    for (index, input) in inputs.enumerated() {
      request.inputs.append(try decodeInput(input, index: index, binary: &binary))
    }
    guard binary.remaining == 0 else {
      throw bad(
        "\(binary.remaining) bytes of binary data follow the inputs' binary_data_size; the sizes must add up to the data"
      )
    }
    if let outputs = object["outputs"] {
      guard case .array(let elements) = outputs else {
        throw bad("'outputs' must be an array, got \(outputs.typeName)")
      }
      request.outputs = try elements.enumerated().map { (index, element) throws(InferenceError) in
        try decodeOutput(element, index: index)
      }
    }
    return request
  }

  private static func decodeInput(
    _ value: JSONValue,
    index: Int,
    binary: inout BinarySection
  ) throws(InferenceError) -> InferInput {
    guard case .object(let input) = value else {
      throw bad("inputs[\(index)] must be an object, got \(value.typeName)")
    }
    guard case .string(let name)? = input["name"] else { throw bad("inputs[\(index)] needs a string 'name'") }
    guard case .string(let datatype)? = input["datatype"] else {
      throw bad("input '\(name)' needs a string 'datatype'")
    }
    guard case .array(let dims)? = input["shape"] else { throw bad("input '\(name)' needs a 'shape' array") }
    var shape: [Int64] = []
    for dim in dims {
      guard case .number(let number, true) = dim, let exact = Int64(exactly: number) else {
        throw bad("input '\(name)': 'shape' must hold integers, got \(dim.typeName)")
      }
      shape.append(exact)
    }
    let payload: InferInput.Payload
    if let size = try integer(input["parameters"], "binary_data_size", in: "input '\(name)' parameters") {
      guard input["data"] == nil else { throw bad("input '\(name)' has both 'data' and binary_data_size") }
      payload = .raw(try binary.take(size, for: name))
    } else {
      guard case .array(let data)? = input["data"] else {
        throw bad("input '\(name)' needs a 'data' array (or parameters.binary_data_size with binary data)")
      }
      payload = .json(data)
    }
    return InferInput(name: name, datatype: datatype, shape: shape, payload: payload)
  }

  private static func decodeOutput(
    _ value: JSONValue,
    index: Int
  ) throws(InferenceError) -> InferRequestedOutput {
    guard case .object(let output) = value else {
      throw bad("outputs[\(index)] must be an object, got \(value.typeName)")
    }
    guard case .string(let name)? = output["name"] else {
      throw bad("outputs[\(index)] needs a string 'name'")
    }
    return InferRequestedOutput(
      name: name,
      binary: try flag(output["parameters"], "binary_data", in: "output '\(name)' parameters")
    )
  }

  private static func flag(
    _ parameters: JSONValue?,
    _ key: String,
    in place: String
  ) throws(InferenceError) -> Bool? {
    guard let value = try parameter(parameters, key, in: place) else { return nil }
    guard case .bool(let flag) = value else { throw bad("\(place): '\(key)' must be true or false") }
    return flag
  }

  private static func integer(
    _ parameters: JSONValue?,
    _ key: String,
    in place: String
  ) throws(InferenceError) -> Int? {
    guard let value = try parameter(parameters, key, in: place) else { return nil }
    guard case .number(let number, true) = value, let exact = Int(exactly: number), exact >= 0 else {
      throw bad("\(place): '\(key)' must be a non-negative integer")
    }
    return exact
  }

  private static func parameter(
    _ parameters: JSONValue?,
    _ key: String,
    in place: String
  ) throws(InferenceError) -> JSONValue? {
    guard let parameters else { return nil }
    guard case .object(let object) = parameters else { throw bad("\(place) must be an object") }
    return object[key]
  }

  static func bad(_ message: String) -> InferenceError {
    InferenceError(.invalidArgument, message)
  }
}

/// The raw buffers after the JSON header, taken in input order.
private struct BinarySection {
  let bytes: [UInt8]
  var offset: Int

  var remaining: Int { bytes.count - offset }

  mutating func take(_ count: Int, for input: String) throws(InferenceError) -> [UInt8] {
    guard count <= remaining else {
      throw InferenceError(
        .invalidArgument,
        "input '\(input)' has binary_data_size \(count) but only \(remaining) bytes of binary data remain"
      )
    }
    defer { offset += count }
    return Array(bytes[offset..<offset + count])
  }
}
