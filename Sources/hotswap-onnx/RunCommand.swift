import ArgumentParser
import Foundation
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
    let outputs = session.outputs.map { TensorJSON.output(name: $0.name, tensor: results[$0.name]!) }
    let text = JSONWriter.render(.object([("outputs", .array(outputs))])) + "\n"
    guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
      throw OnnxCommandError(message: "cannot write output file '\(output)'")
    }
  }
}
