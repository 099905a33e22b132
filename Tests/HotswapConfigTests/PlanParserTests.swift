import Testing

@testable import HotswapConfig

@Suite("PlanParser: valid files")
struct PlanParserTests {
  private func parse(_ text: String) throws -> Plan {
    try PlanParser.parse(text, file: Fixtures.file).get()
  }

  private static let blue = SlotSpec(
    name: "blue",
    modelPath: Fixtures.blue("v1.0.0"),
    configuredModel: "../models/iris/v1.0.0/model.onnx",
    version: nil,
    line: 6,
    modelLine: 7
  )

  @Test func designExample() throws {
    let plan = try parse(Fixtures.design)
    let expected = Plan(
      server: ServerSettings(listen: ListenAddress(host: "127.0.0.1", port: 8080), modelName: "iris"),
      slots: [
        Self.blue,
        SlotSpec(
          name: "green",
          modelPath: Fixtures.blue("v1.1.0"),
          configuredModel: "../models/iris/v1.1.0/model.onnx",
          version: nil,
          line: 8,
          modelLine: 9
        ),
      ],
      weights: ["blue": 90, "green": 10],
      stickyHeader: nil,
      guardSettings: nil,
      rollout: nil
    )
    #expect(plan == expected)
    #expect(plan.share(of: "blue") == 0.9)
    #expect(plan.share(of: "green") == 0.1)
    #expect(plan.share(of: "red") == 0)
    #expect(plan.slotNames == ["blue", "green"])
    #expect(plan.orderedWeights == [90, 10])
    #expect(plan.activeSlot == nil)
    #expect(plan.slot(named: "green")?.line == 8)
  }

  @Test func activeShorthandWithVersionAndGuard() throws {
    let plan = try parse(Fixtures.active)
    #expect(plan.weights == ["blue": 0, "green": 100])
    #expect(plan.activeSlot == "green")
    #expect(plan.share(of: "green") == 1)
    #expect(plan.slot(named: "green")?.version == "v1.1.0")
    #expect(plan.slot(named: "blue")?.line == 7)
    #expect(plan.server == ServerSettings(modelName: "iris"))
    #expect(plan.guardSettings == GuardSettings(maxErrorRate: 0.05, window: .seconds(120)))
  }

  @Test func floatWeightsStickyHeaderAndUnlistedSlot() throws {
    let plan = try parse(
      """
      [slots.blue]
      model = "/opt/models/a.onnx"
      [slots.green]
      model = "./b.onnx"
      [slots.canary-2]
      model = "models//c.onnx"
      [traffic]
      blue = 66.7
      green = 33.3
      sticky_header = "X-User-ID"
      """
    )
    #expect(plan.weights == ["blue": 66.7, "green": 33.3, "canary-2": 0])
    #expect(plan.stickyHeader == "x-user-id")
    #expect(plan.slotNames == ["blue", "canary-2", "green"])
    #expect(plan.slot(named: "blue")?.modelPath == "/opt/models/a.onnx")
    #expect(plan.slot(named: "green")?.modelPath == "\(Fixtures.directory)/b.onnx")
    #expect(plan.slot(named: "green")?.configuredModel == "./b.onnx")
    #expect(plan.slot(named: "canary-2")?.modelPath == "\(Fixtures.directory)/models/c.onnx")
    #expect(plan.slot(named: "canary-2")?.line == 5)
  }

  @Test func everyServerSettingGuardAndRollout() throws {
    let plan = try parse(
      """
      [server]
      listen = "[::1]:0"
      model_name = "wine-quality_v2"
      max_body_bytes = 2048
      max_header_bytes = 4096
      max_message_bytes = 65536
      max_connections = 8
      idle_timeout = "1m30s"
      request_timeout = "500ms"
      drain_timeout = "1.5s"
      state_directory = "../state"

      [slots.blue]
      model = "a.onnx"
      [slots.green]
      model = "b.onnx"

      [traffic]
      blue = 1
      green = 0

      [guard]
      max_error_rate = 0
      max_p99_ms = 12.5
      min_requests = 1
      window = "1h"

      [rollout]
      slot = "green"
      steps = [5, 25.5, 50, 100]
      every = "2m"
      """
    )
    let server = ServerSettings(
      listen: ListenAddress(host: "::1", port: 0),
      modelName: "wine-quality_v2",
      maxBodyBytes: 2048,
      maxHeaderBytes: 4096,
      maxMessageBytes: 65536,
      maxConnections: 8,
      idleTimeout: .seconds(90),
      requestTimeout: .milliseconds(500),
      drainTimeout: .milliseconds(1500),
      stateDirectory: "\(Fixtures.directory)/../state"
    )
    #expect(plan.server == server)
    #expect(plan.server.listen.description == "[::1]:0")
    #expect(
      plan.guardSettings
        == GuardSettings(maxErrorRate: 0, maxP99Milliseconds: 12.5, minRequests: 1, window: .seconds(3600))
    )
    #expect(plan.rollout == RolloutSettings(slot: "green", steps: [5, 25.5, 50, 100], every: .seconds(120)))
    #expect(plan.activeSlot == "blue")
  }

  @Test func serverDefaultsWhenTableIsAbsent() throws {
    let plan = try parse("active = \"blue\"\n" + Fixtures.twoSlots(traffic: ""))
    #expect(plan.server == .defaults)
    #expect(plan.server.listen.description == "127.0.0.1:8080")
    #expect(plan.server.maxBodyBytes == 1_048_576)
    #expect(plan.server.idleTimeout == .seconds(60))
    #expect(plan.server.stateDirectory == nil)
  }

  @Test func dottedAndInlineTablesAreAccepted() throws {
    let plan = try parse(
      """
      slots.blue.model = "a.onnx"
      slots.green = { model = "b.onnx", version = "2" }
      traffic = { blue = 3, green = 1 }
      """
    )
    #expect(plan.weights == ["blue": 3, "green": 1])
    #expect(plan.slot(named: "green")?.version == "2")
    #expect(plan.slot(named: "green")?.line == 2)
  }

  @Test func relativeFileResolvesAgainstTheWorkingDirectory() throws {
    let plan = try PlanParser.parse(Fixtures.design, file: "conf/active.toml").get()
    let path = try #require(plan.slot(named: "blue")?.modelPath)
    #expect(path.hasPrefix("/"))
    #expect(path.hasSuffix("/conf/../models/iris/v1.0.0/model.onnx"))
  }

  @Test(arguments: [
    ("127.0.0.1:8080", "127.0.0.1", 8080),
    ("0.0.0.0:0", "0.0.0.0", 0),
    ("[::]:443", "::", 443),
    ("localhost:65535", "localhost", 65535),
  ])
  func listenAddresses(_ text: String, _ host: String, _ port: Int) throws {
    let address = try #require(ListenAddress(parsing: text))
    #expect(address == ListenAddress(host: host, port: port))
    #expect(address.description == text)
  }

  @Test(arguments: ["localhost", ":8080", "host:", "host:65536", "::1:80", "[::1]", "a b:1", "h:+1", "[x]:1"])
  func invalidListenAddresses(_ text: String) {
    #expect(ListenAddress(parsing: text) == nil)
  }
}
