import ArgumentParser
import Foundation
import HotswapJSON
import OnnxInference

/// `hotswap-onnx run MODEL --input IN.json --output OUT.json`: one inference, tensors as JSON.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a model on inputs from a JSON file."
  )

  @Argument(help: "Path of the model.onnx file.")
  var model: String

  @Option(help: "JSON file with the input tensors.")
  var input: String

  @Option(help: "Where to write the output tensors as JSON.")
  var output: String

  func run() throws {
    let session = try loadSession(model)
    let inputs = try TensorJSON.readInputs(path: input)
    let results: [String: Tensor]
    do {
      results = try session.run(named: inputs)
    } catch {
      throw OnnxCommandError(message: error.description)
    }
    var writer = JSONWriter(capacity: 4096)
    writer.beginObject()
    writer.key("outputs")
    writer.beginArray()
    for info in session.outputs {
      guard let tensor = results[info.name] else {
        throw OnnxCommandError(message: "the model produced no output '\(info.name)'")
      }
      TensorJSON.write(name: info.name, tensor: tensor, into: &writer)
    }
    writer.endArray()
    writer.endObject()
    guard FileManager.default.createFile(atPath: output, contents: Data(writer.bytes + [UInt8(ascii: "\n")]))
    else {
      throw OnnxCommandError(message: "cannot write output file '\(output)'")
    }
  }
}
