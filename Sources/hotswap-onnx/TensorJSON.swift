import Foundation
import HotswapJSON
import OnnxInference

/// Converts tensors to and from the tool's JSON files (`{"inputs": [{name, datatype, shape, data}]}`).
enum TensorJSON {
  /// Reads the named input tensors of an IN.json file.
  static func readInputs(path: String) throws -> [String: Tensor] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw OnnxCommandError(message: "cannot read input file '\(path)'")
    }
    guard let root = (try? JSONParser.parse(Array(data)))?.object, let inputs = root["inputs"]?.array else {
      throw OnnxCommandError(
        message: "input file '\(path)' must be {\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}"
      )
    }
    var tensors: [String: Tensor] = [:]
    for input in inputs {
      guard let object = input.object, let name = object["name"]?.string,
        let typeName = object["datatype"]?.string,
        let shape = object["shape"]?.array?.compactMap(integer), shape.count == object["shape"]?.array?.count,
        let items = object["data"]?.array
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

  /// An integral JSON number as an `Int`.
  private static func integer(_ value: JSONValue) -> Int? {
    guard case .number(let number, _) = value, number == number.rounded(), abs(number) < 1e15 else {
      return nil
    }
    return Int(number)
  }

  private static func storage(
    _ items: [JSONValue],
    type: TensorDataType,
    name: String
  ) throws -> Tensor.Storage {
    func number(_ item: JSONValue) throws -> Double? {
      switch item {
      case .null: return nil
      case .number(let value, _): return value
      default: throw OnnxCommandError(message: "input '\(name)': \(item.typeName) is not a number")
      }
    }
    func whole(_ item: JSONValue, _ typeName: String) throws -> Int64 {
      guard let value = try number(item) else {
        throw OnnxCommandError(message: "input '\(name)': null in \(typeName) data")
      }
      guard value == value.rounded(), let exact = Int64(exactly: value) else {
        throw OnnxCommandError(message: "input '\(name)': \(value) is not an integer")
      }
      return exact
    }
    switch type {
    case .float: return .float(try items.map { Float(try number($0) ?? .nan) })
    case .double: return .double(try items.map { try number($0) ?? .nan })
    case .int64: return .int64(try items.map { try whole($0, "INT64") })
    case .int32:
      return .int32(
        try items.map { item in
          guard let value = Int32(exactly: try whole(item, "INT32")) else {
            throw OnnxCommandError(message: "input '\(name)': a value is outside INT32")
          }
          return value
        }
      )
    case .bool:
      return .bool(
        try items.map { item in
          guard case .bool(let value) = item else {
            throw OnnxCommandError(message: "input '\(name)': \(item.typeName) is not a boolean")
          }
          return value
        }
      )
    case .string:
      return .string(
        try items.map { item in
          guard let value = item.string else {
            throw OnnxCommandError(message: "input '\(name)': \(item.typeName) is not a string")
          }
          return value
        }
      )
    }
  }

  /// Writes one named output tensor: `{"name", "datatype", "shape", "data"}`; floats in their
  /// shortest round-tripping form, NaN and infinities as null.
  static func write(name: String, tensor: Tensor, into writer: inout JSONWriter) {
    writer.beginObject()
    writer.key("name")
    writer.string(name)
    writer.key("datatype")
    writer.string(tensor.dataType.rawValue)
    writer.key("shape")
    writer.beginArray()
    for dimension in tensor.shape { writer.integer(Int64(dimension)) }
    writer.endArray()
    writer.key("data")
    writer.beginArray()
    switch tensor.storage {
    case .float(let values): for value in values { writer.number(value) }
    case .double(let values): for value in values { writer.number(value) }
    case .int64(let values): for value in values { writer.integer(value) }
    case .int32(let values): for value in values { writer.integer(Int64(value)) }
    case .bool(let values): for value in values { writer.bool(value) }
    case .string(let values): for value in values { writer.string(value) }
    }
    writer.endArray()
    writer.endObject()
  }
}
