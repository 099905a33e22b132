import AsyncHTTPClient
import Foundation
import Testing

/// `hotswap check | switch | canary | rollback | status | history` against real files and a
/// running server.
@Suite(.serialized)
struct CommandLineTests {
  struct Run {
    let status: Int32
    let output: String
  }

  /// Runs the CLI as the test's own user — root in CI — as operators run it (`sudo hotswap canary`):
  /// on a box the config it edits belongs to root. The server it talks to runs unprivileged
  /// (``HotswapProcess``).
  static func hotswap(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
    let process = Process()
    process.executableURL = HotswapProcess.binDirectory.appendingPathComponent("hotswap")
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    merged.merge(environment) { $1 }
    process.environment = merged
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
  }

  static let config = """
    # Our deployment. Comments like this one must survive every edit.
    [slots.blue]
    model = "\(HotswapProcess.model("iris/v1.0.0"))"   # stable
    [slots.green]
    model = "\(HotswapProcess.model("iris/v1.1.0"))"
    [traffic]
    blue = 100
    green = 0   # the canary
    """

  @Test func checkPassesAGoodFileAndFailsABadOneLikeNginxT() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "hotswap-check-\(UUID().uuidString)"
    )
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = directory.appendingPathComponent("good.toml").path
    try HotswapProcess.serverSection(Self.config).write(toFile: good, atomically: true, encoding: .utf8)
    let ok = try Self.hotswap(["check", good])
    #expect(ok.status == 0, "\(ok.output)")
    #expect(ok.output.contains("slot green: v1.1.0"))
    let bad = directory.appendingPathComponent("bad.toml").path
    try HotswapProcess.serverSection(Self.config.replacingOccurrences(of: "v1.1.0", with: "v7")).write(
      toFile: bad,
      atomically: true,
      encoding: .utf8
    )
    let failed = try Self.hotswap(["check", bad])
    #expect(failed.status == 1)
    #expect(failed.output.contains("bad.toml:"))
    #expect(failed.output.contains("slot 'green'"))
  }

  @Test func switchCanaryAndRollbackEditTheFileAndTheServerConfirms() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let client = HTTPClient.shared
    let environment = ["HOTSWAP_STATE_DIRECTORY": server.directory.appendingPathComponent("state").path]
    let url = server.url("")
    let canary = try Self.hotswap(
      ["canary", "green", "10", "--config", server.configPath, "--url", url],
      environment: environment
    )
    #expect(canary.status == 0, "\(canary.output)")
    #expect(canary.output.contains("applied by the server"))
    try await ConfigReloadTests.waitForShares(client, server, blue: 0.9, green: 0.1)
    let text = try String(contentsOfFile: server.configPath, encoding: .utf8)
    #expect(text.contains("# Our deployment. Comments like this one must survive every edit."))
    #expect(text.contains("# stable"))

    let switched = try Self.hotswap(
      ["switch", "green", "--config", server.configPath, "--url", url],
      environment: environment
    )
    #expect(switched.status == 0, "\(switched.output)")
    try await ConfigReloadTests.waitForShares(client, server, blue: 0, green: 1)

    let rolledBack = try Self.hotswap(
      ["rollback", "--config", server.configPath, "--url", url],
      environment: environment
    )
    #expect(rolledBack.status == 0, "\(rolledBack.output)")
    try await ConfigReloadTests.waitForShares(client, server, blue: 0.9, green: 0.1)

    let status = try Self.hotswap(["status", "--config", server.configPath, "--url", url])
    #expect(status.status == 0)
    #expect(status.output.contains("green"))
    #expect(status.output.contains("10.0 %"))

    let history = try Self.hotswap(["history", "--config", server.configPath], environment: environment)
    #expect(history.output.components(separatedBy: "APPLIED").count - 1 == 4, "\(history.output)")
    await server.stop()
  }

  @Test func switchRefusesASlotWhoseModelDoesNotLoadAndLeavesTheFileAlone() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "hotswap-switch-\(UUID().uuidString)"
    )
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let broken = directory.appendingPathComponent("broken.onnx").path
    try Data("this is not an ONNX model".utf8).write(to: URL(fileURLWithPath: broken))
    let path = directory.appendingPathComponent("active.toml").path
    let text = HotswapProcess.serverSection(
      Self.config.replacingOccurrences(of: HotswapProcess.model("iris/v1.1.0"), with: broken)
    )
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let refused = try Self.hotswap(["switch", "green", "--config", path, "--no-wait"])
    #expect(refused.status != 0)
    #expect(refused.output.contains("refusing to switch to green"), "\(refused.output)")
    #expect(refused.output.contains("broken.onnx"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    let unknown = try Self.hotswap(["switch", "purple", "--config", path, "--no-wait"])
    #expect(unknown.status != 0)
    #expect(unknown.output.contains("no slot 'purple'"))
  }
}
