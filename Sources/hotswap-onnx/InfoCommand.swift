import ArgumentParser
import Foundation
import HotswapJSON
import OnnxInference

/// `hotswap-onnx info MODEL`: the model's inputs, outputs, metadata, task and operators as JSON.
struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a model as JSON.")

  @Argument(help: "Path of the model.onnx file.")
  var model: String

  func run() throws {
    let session = try loadSession(model)
    print(Self.describe(session).rendered)
  }

  /// The JSON description of a loaded session.
  static func describe(_ session: InferenceSession) -> JSONValue {
    let meta = session.metadata
    let strings: ([String]?) -> JSONValue = { $0.map { .array($0.map(JSONValue.string)) } ?? .null }
    let name: JSONValue = meta.name.map(JSONValue.string) ?? .null
    let version: JSONValue = meta.version.map(JSONValue.string) ?? .null
    let opsets: [(String, JSONValue)] = meta.opsets.sorted { $0.key < $1.key }.map {
      ($0.key, .int($0.value))
    }
    let properties: [(String, JSONValue)] = meta.properties.sorted { $0.key < $1.key }.map {
      ($0.key, .string($0.value))
    }
    let model: JSONValue = .members([
      ("name", name),
      ("version", version),
      ("feature_names", strings(meta.featureNames)),
      ("class_labels", strings(meta.classLabels)),
      ("producer_name", .string(meta.producerName)),
      ("producer_version", .string(meta.producerVersion)),
      ("ir_version", .int(meta.irVersion)),
      ("opsets", .members(opsets)),
    ])
    return .members([
      ("inputs", .array(session.inputs.map(info))),
      ("outputs", .array(session.outputs.map(info))),
      ("metadata", .members(properties)),
      ("model", model),
      ("task", task(session.task)),
      ("operators", .array(session.operators.map(JSONValue.string))),
    ])
  }

  private static func info(_ tensor: TensorInfo) -> JSONValue {
    .members([
      ("name", .string(tensor.name)),
      ("datatype", .string(tensor.dataType.rawValue)),
      ("shape", .array(tensor.shape.map { JSONValue.int(Int64($0 ?? -1)) })),
    ])
  }

  private static func task(_ task: ModelTask) -> JSONValue {
    switch task {
    case .classifier(let label, let probabilities, let classes):
      return .members([
        ("kind", .string("classifier")),
        ("label_output", .int(Int64(label))),
        ("probabilities_output", probabilities.map { JSONValue.int(Int64($0)) } ?? .null),
        ("classes", .array(classes.map(JSONValue.string))),
      ])
    case .regressor(let value):
      return .members([("kind", .string("regressor")), ("value_output", .int(Int64(value)))])
    case .other:
      return .members([("kind", .string("other"))])
    }
  }
}

/// Loads a session from a regular file of at most `InferenceSession.maxModelBytes`, its parent
/// folder's name as the version when the model names none; a failure becomes a command error.
func loadSession(_ path: String) throws -> InferenceSession {
  let url = URL(fileURLWithPath: path)
  let values: URLResourceValues
  do {
    values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
  } catch {
    throw OnnxCommandError(message: "cannot read model file '\(path)': \(error.localizedDescription)")
  }
  guard values.isRegularFile == true else {
    throw OnnxCommandError(message: "model file '\(path)' is not a regular file")
  }
  if let size = values.fileSize, size > InferenceSession.maxModelBytes {
    throw OnnxCommandError(
      message: "model file '\(path)' is larger than \(InferenceSession.maxModelBytes) bytes"
    )
  }
  let data: Data
  do {
    data = try Data(contentsOf: url)
  } catch {
    throw OnnxCommandError(message: "cannot read model file '\(path)': \(error.localizedDescription)")
  }
  let folder = url.deletingLastPathComponent().lastPathComponent
  do {
    return try InferenceSession(
      bytes: [UInt8](data),
      fallbackVersion: folder.isEmpty || folder == "/" ? nil : folder
    )
  } catch {
    throw OnnxCommandError(message: error.description)
  }
}
