import Foundation
import OnnxInference

/// Converts tensors to and from the tool's JSON files (`{"inputs": [{name, datatype, shape, data}]}`).
enum TensorJSON {
  /// Reads the named input tensors of an IN.json file.
  static func readInputs(path: String) throws -> [String: Tensor] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw OnnxCommandError(message: "cannot read input file '\(path)'")
    }
    guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let inputs = root["inputs"] as? [[String: Any]]
    else {
      throw OnnxCommandError(
        message: "input file '\(path)' must be {\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}"
      )
    }
    var tensors: [String: Tensor] = [:]
    for input in inputs {
      guard let name = input["name"] as? String, let typeName = input["datatype"] as? String,
        let shape = input["shape"] as? [Int], let items = input["data"] as? [Any]
      else {
        throw OnnxCommandError(message: "every input needs name, datatype, shape and data")
      }
      guard tensors[name] == nil else {
        throw OnnxCommandError(message: "input '\(name)' is given twice")
      }
      guard let type = TensorDataType(rawValue: typeName) else {
        throw OnnxCommandError(message: "input '\(name)': unknown datatype '\(typeName)'")
      }
      do {
        tensors[name] = try Tensor(shape: shape, storage: try storage(items, type: type, name: name))
      } catch let error as OnnxError {
        throw OnnxCommandError(message: "input '\(name)': \(error.message)")
      }
    }
    return tensors
  }

  private static func storage(_ items: [Any], type: TensorDataType, name: String) throws -> Tensor.Storage {
    func number(_ item: Any) throws -> NSNumber? {
      if item is NSNull { return nil }
      guard let value = item as? NSNumber else {
        throw OnnxCommandError(message: "input '\(name)': \(item) is not a number")
      }
      return value
    }
    switch type {
    case .float: return .float(try items.map { try number($0)?.floatValue ?? .nan })
    case .double: return .double(try items.map { try number($0)?.doubleValue ?? .nan })
    case .int64:
      return .int64(
        try items.map { item in
          guard let value = try number(item) else {
            throw OnnxCommandError(message: "input '\(name)': null in INT64 data")
          }
          return value.int64Value
        }
      )
    case .int32:
      return .int32(
        try items.map { item in
          guard let value = try number(item) else {
            throw OnnxCommandError(message: "input '\(name)': null in INT32 data")
          }
          return value.int32Value
        }
      )
    case .bool:
      return .bool(
        try items.map { item in
          guard let value = item as? Bool else {
            throw OnnxCommandError(message: "input '\(name)': \(item) is not a boolean")
          }
          return value
        }
      )
    case .string:
      return .string(
        try items.map { item in
          guard let value = item as? String else {
            throw OnnxCommandError(message: "input '\(name)': \(item) is not a string")
          }
          return value
        }
      )
    }
  }

  /// The JSON of one named output tensor.
  static func output(name: String, tensor: Tensor) -> JSONValue {
    let data: [JSONValue]
    switch tensor.storage {
    case .float(let values): data = values.map(JSONValue.float)
    case .double(let values): data = values.map(JSONValue.double)
    case .int64(let values): data = values.map(JSONValue.int)
    case .int32(let values): data = values.map { .int(Int64($0)) }
    case .bool(let values): data = values.map(JSONValue.bool)
    case .string(let values): data = values.map(JSONValue.string)
    }
    return .object([
      ("name", .string(name)),
      ("datatype", .string(tensor.dataType.rawValue)),
      ("shape", .array(tensor.shape.map { .int(Int64($0)) })),
      ("data", .array(data)),
    ])
  }
}
