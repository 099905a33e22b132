import AsyncHTTPClient
import Foundation
import Testing

/// Saving the config file is the deployment: every way of writing it applies exactly the final
/// content; every invalid file is rejected whole while the last good plan keeps serving.
@Suite(.serialized)
struct ConfigReloadTests {
  static func plan(blue: Double, green: Double, extra: String = "") -> String {
    HotswapProcess.serverSection(
      """
      [slots.blue]
      model = "\(HotswapProcess.model("iris/v1.0.0"))"
      [slots.green]
      model = "\(HotswapProcess.model("iris/v1.1.0"))"
      [traffic]
      blue = \(blue)
      green = \(green)
      \(extra)
      """
    )
  }

  /// Polls `/status` until the served shares are `blue`/`green` (as fractions).
  static func waitForShares(
    _ client: HTTPClient,
    _ server: HotswapProcess,
    blue: Double,
    green: Double,
    timeout: Duration = .seconds(5)
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    var last: [Double?] = []
    while ContinuousClock.now < deadline {
      let status = try await client.send(.GET, server.url("/status"))
      let slots = status.json["slots"] as? [[String: Any]] ?? []
      last = slots.map { $0["share"] as? Double }
      if last == [blue, green] { return }
      try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("shares stayed \(last), expected [\(blue), \(green)]\n\(server.log)")
    throw TestFailure("shares not applied")
  }

  @Test(arguments: WritePattern.allCases)
  func everyWritePatternAppliesTheFinalContent(_ pattern: WritePattern) async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    try pattern.write(Self.plan(blue: 30, green: 70), to: server.configPath)
    try await Self.waitForShares(client, server, blue: 0.3, green: 0.7)
    try pattern.write(Self.plan(blue: 0, green: 100), to: server.configPath)
    try await Self.waitForShares(client, server, blue: 0, green: 1)
    await server.stop()
  }

  @Test func aBurstOfWritesEndsOnTheLastOne() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    for step in 0..<200 {
      try WritePattern.allCases[step % 3].write(
        Self.plan(blue: Double(200 - step), green: Double(step)),
        to: server.configPath
      )
    }
    try WritePattern.inPlace.write(Self.plan(blue: 25, green: 75), to: server.configPath)
    try await Self.waitForShares(client, server, blue: 0.25, green: 0.75)
    let applied = server.log.components(separatedBy: "msg=\"plan applied\"").count - 1
    #expect(applied < 150, "bursts are coalesced: \(applied) applies for 201 writes")
    await server.stop()
  }

  @Test func kubernetesConfigMapSymlinkSwap() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    let conf = (server.configPath as NSString).deletingLastPathComponent
    let manager = FileManager.default
    func publish(_ text: String, stamp: String) throws {
      let directory = conf + "/..\(stamp)"
      try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try text.write(toFile: directory + "/active.toml", atomically: false, encoding: .utf8)
      try? manager.removeItem(atPath: conf + "/..data_tmp")
      try manager.createSymbolicLink(atPath: conf + "/..data_tmp", withDestinationPath: "..\(stamp)")
      guard rename(conf + "/..data_tmp", conf + "/..data") == 0 else {
        throw TestFailure("rename ..data failed")
      }
    }
    // Turn the plain file into the kubelet's layout: active.toml -> ..data/active.toml.
    try publish(Self.plan(blue: 60, green: 40), stamp: "2026_11_21_10_00_00.000000001")
    let link = conf + "/active.toml.link"
    try manager.createSymbolicLink(atPath: link, withDestinationPath: "..data/active.toml")
    guard rename(link, server.configPath) == 0 else { throw TestFailure("rename active.toml failed") }
    try await Self.waitForShares(client, server, blue: 0.6, green: 0.4)
    try publish(Self.plan(blue: 10, green: 90), stamp: "2026_11_21_10_05_00.000000002")
    try manager.removeItem(atPath: conf + "/..2026_11_21_10_00_00.000000001")
    try await Self.waitForShares(client, server, blue: 0.1, green: 0.9)
    await server.stop()
  }

  @Test func aHalfWrittenFileIsNeverApplied() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    let full = Self.plan(blue: 50, green: 50)
    let cut = full.index(full.startIndex, offsetBy: full.count - 12)
    // A writer that pauses mid-file while holding it open: nothing is applied meanwhile.
    let handle = try #require(FileHandle(forWritingAtPath: server.configPath))
    try handle.truncate(atOffset: 0)
    try handle.write(contentsOf: Data(full[..<cut].utf8))
    try await Task.sleep(for: .milliseconds(200))
    let during = try await client.send(.GET, server.url("/status"))
    #expect(during.json["generation"] as? Int == 1)
    try handle.write(contentsOf: Data(full[cut...].utf8))
    try handle.close()
    try await Self.waitForShares(client, server, blue: 0.5, green: 0.5)
    // A writer that closes after half the file: rejected, then the complete file applies.
    let offset = server.log.count
    try WritePattern.inPlace.write(
      String(full[..<full.index(full.startIndex, offsetBy: full.count - 6)]),
      to: server.configPath
    )
    try await server.waitForLog("plan rejected", after: offset)
    try WritePattern.inPlace.write(Self.plan(blue: 20, green: 80), to: server.configPath)
    try await Self.waitForShares(client, server, blue: 0.2, green: 0.8)
    await server.stop()
  }

  struct BadConfig: Sendable, CustomStringConvertible {
    let name: String
    let text: String
    let mentions: String
    var description: String { name }
  }

  static let badConfigs: [BadConfig] = [
    BadConfig(
      name: "unknown key",
      text: plan(blue: 1, green: 1).replacingOccurrences(
        of: "[slots.blue]",
        with: "colour = 3\n[slots.blue]"
      ),
      mentions: "unknown key 'colour'"
    ),
    BadConfig(
      name: "unknown slot in traffic (a typo)",
      text: plan(blue: 1, green: 1, extra: "gren = 3"),
      mentions: "gren"
    ),
    BadConfig(name: "negative weight", text: plan(blue: 100, green: -5), mentions: "green"),
    BadConfig(
      name: "all weights zero",
      text: plan(blue: 0, green: 0),
      mentions: "every weight in [traffic] is 0"
    ),
    BadConfig(
      name: "unknown slot in traffic",
      text: plan(blue: 1, green: 1).replacingOccurrences(of: "green = 1", with: "green = 1\npurple = 3"),
      mentions: "purple"
    ),
    BadConfig(
      name: "active and traffic at once",
      text: plan(blue: 1, green: 1).replacingOccurrences(
        of: "[slots.blue]",
        with: "active = \"blue\"\n[slots.blue]"
      ),
      mentions: "active"
    ),
    BadConfig(
      name: "missing model file",
      text: plan(blue: 1, green: 1).replacingOccurrences(
        of: "iris/v1.1.0/model.onnx",
        with: "iris/v9/model.onnx"
      ),
      mentions: "v9/model.onnx"
    ),
    BadConfig(
      name: "TOML syntax error",
      text: plan(blue: 1, green: 1) + "\n[traffic\n",
      mentions: "active.toml:"
    ),
    BadConfig(
      name: "bad slot name",
      text: plan(blue: 1, green: 1).replacingOccurrences(of: "[slots.green]", with: "[slots.\"Green!\"]"),
      mentions: "Green"
    ),
  ]

  @Test func everyInvalidConfigIsRejectedAndTheLastGoodPlanKeepsServing() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    for (index, bad) in Self.badConfigs.enumerated() {
      let good = Self.plan(blue: Double(100 - index), green: Double(index))
      try WritePattern.renameOver.write(good, to: server.configPath)
      try await Self.waitForShares(
        client,
        server,
        blue: Double(100 - index) / 100,
        green: Double(index) / 100
      )
      let offset = server.log.count
      try WritePattern.renameOver.write(bad.text, to: server.configPath)
      try await server.waitForLog("plan rejected", after: offset)
      let status = try await client.send(.GET, server.url("/status"))
      let errors = (status.json["last_error"] as? [String: Any])?["errors"] as? [String] ?? []
      #expect(errors.contains { $0.contains(bad.mentions) }, "\(bad.name): \(errors)")
      #expect(
        errors.allSatisfy { $0.contains("active.toml") },
        "\(bad.name): every error names the file: \(errors)"
      )
      let slots = status.json["slots"] as? [[String: Any]] ?? []
      #expect(
        slots.map { $0["share"] as? Double } == [Double(100 - index) / 100, Double(index) / 100],
        "\(bad.name)"
      )
      let health = try await client.send(.GET, server.url("/health"))
      #expect(health.status == 200, "\(bad.name): still serving")
      #expect(
        (health.json["last_error"] as? String)?.isEmpty == false,
        "\(bad.name): /health shows the error"
      )
    }
    await server.stop()
  }

  @Test func sighupRereadsTheFile() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 100, green: 0))
    let client = HTTPClient.shared
    let offset = server.log.count
    server.signal(SIGHUP)
    try await server.waitForLog("SIGHUP", after: offset)
    let status = try await client.send(.GET, server.url("/status"))
    #expect(status.status == 200)
    #expect(server.isRunning)
    await server.stop()
  }
}
