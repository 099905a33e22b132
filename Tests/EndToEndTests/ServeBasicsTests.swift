import AsyncHTTPClient
import Foundation
import Testing

/// The default deployment as a user first meets it: health, predictions in every body shape,
/// pinning, the response headers, status.
@Suite(.serialized)
struct ServeBasicsTests {
  static let config = """
    [slots.blue]
    model = "\(HotswapProcess.model("iris/v1.0.0"))"
    [slots.green]
    model = "\(HotswapProcess.model("iris/v1.1.0"))"
    [traffic]
    blue = 100
    green = 0
    """

  @Test func healthAndPredictInEveryBodyShape() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let client = HTTPClient.shared

    let health = try await client.send(.GET, server.url("/health"))
    #expect(health.status == 200)
    #expect(health.json["status"] as? String == "ok")
    #expect(health.json["version"] as? String == "v1.0.0")
    #expect(health.slot == "blue")

    let features = try await client.send(
      .POST,
      server.url("/predict"),
      body: #"{"features":[5.1,3.5,1.4,0.2]}"#
    )
    #expect(features.status == 200)
    #expect(features.json["prediction"] as? Int == 0)
    #expect(features.json["class_name"] as? String == "setosa")
    #expect((features.json["confidence"] as? Double ?? 0) > 0.9)
    #expect(features.json["model_version"] as? String == "v1.0.0")
    #expect(features.json["slot"] as? String == "blue")
    #expect(features.headers.first(name: "x-model-version") == "v1.0.0")

    let seedStyle = try await client.send(.POST, server.url("/predict"), body: #"{"x":[6.7,3.0,5.2,2.3]}"#)
    #expect(seedStyle.json["prediction"] as? [Int] == [2])

    let named = try await client.send(
      .POST,
      server.url("/predict"),
      body: #"{"sepal_length":6.7,"sepal_width":3.0,"petal_length":5.2,"petal_width":2.3}"#
    )
    #expect(named.json["prediction"] as? Int == 2)

    let batch = try await client.send(
      .POST,
      server.url("/predict"),
      body: #"{"instances":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}"#
    )
    let predictions = try #require(batch.json["predictions"] as? [[String: Any]])
    #expect(predictions.map { $0["prediction"] as? Int } == [0, 2])
    await server.stop()
  }

  @Test func pinnedRequestsReachTheStandby() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let client = HTTPClient.shared
    let pinned = try await client.send(
      .POST,
      server.url("/predict"),
      body: #"{"features":[5.1,3.5,1.4,0.2]}"#,
      headers: [("X-Hotswap-Slot", "green")]
    )
    #expect(pinned.slot == "green")
    #expect(pinned.json["model_version"] as? String == "v1.1.0")
    let byVersion = try await client.send(
      .GET,
      server.url("/health"),
      headers: [("X-Hotswap-Slot", "v1.1.0")]
    )
    #expect(byVersion.slot == "green")
    let unknown = try await client.send(.GET, server.url("/health"), headers: [("X-Hotswap-Slot", "purple")])
    #expect(unknown.status == 404)
    #expect((unknown.json["error"] as? String)?.contains("purple") == true)
    await server.stop()
  }

  @Test func statusDescribesTheDeployment() async throws {
    let server = try await HotswapProcess(config: Self.config)
    let client = HTTPClient.shared
    let status = try await client.send(.GET, server.url("/status"))
    #expect(status.status == 200)
    #expect(status.json["generation"] as? Int == 1)
    let slots = try #require(status.json["slots"] as? [[String: Any]])
    #expect(slots.map { $0["name"] as? String } == ["blue", "green"])
    #expect(slots.map { $0["share"] as? Double } == [1.0, 0.0])
    #expect((slots[0]["sha256"] as? String)?.count == 64)
    #expect(status.json["last_error"] is NSNull)
    await server.stop()
  }

  @Test func sigtermExitsCleanly() async throws {
    let server = try await HotswapProcess(config: Self.config)
    #expect(await server.stop() == 0)
    // The output is collected by a reader that may still be draining the pipe.
    try await server.waitForLog("msg=stopped", timeout: .seconds(5))
  }
}
