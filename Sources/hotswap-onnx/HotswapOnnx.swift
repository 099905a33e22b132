import ArgumentParser
import Foundation

/// `hotswap-onnx`: inspect, run and benchmark an ONNX model with Hotswap's own runtime.
@main
struct HotswapOnnx: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hotswap-onnx",
    abstract: "Inspect, run and benchmark ONNX models with Hotswap's native runtime.",
    subcommands: [InfoCommand.self, RunCommand.self, BenchCommand.self]
  )

  /// Runs the command line; every failure exits 1 with `error: <message>` on stderr.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      let message = (error as? OnnxCommandError)?.message ?? message(for: error)
      FileHandle.standardError.write(Data("error: \(message)\n".utf8))
      Foundation.exit(1)
    }
  }
}

/// A failure of a subcommand, reported as `error: <message>`.
struct OnnxCommandError: Error {
  let message: String
}
