import AsyncHTTPClient
import Foundation
import HotswapConfig
import Synchronization
import Testing

/// The promise: rewrite the file hundreds of times, in every way, under load — zero failed
/// requests, and each response comes from a slot its plan allowed.
@Suite(.serialized)
struct SwapUnderLoadTests {
  static let shares: [(Double, Double)] = [(100, 0), (0, 100), (90, 10), (50, 50), (10, 90), (75, 25)]

  struct Observation: Sendable {
    let status: Int
    let slot: String?
    let generation: Int?
  }

  @Test func twentyThousandRequestsAcrossTwoHundredSwaps() async throws {
    let server = try await HotswapProcess(config: TrafficSplitTests.plan(blue: 100, green: 0))
    let client = HTTPClient(
      eventLoopGroupProvider: .singleton,
      configuration: .init(
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 8)
      )
    )
    let configPath = server.configPath
    let writerDone = Flag()
    let writer = Task {
      defer { writerDone.set() }
      for step in 0..<200 {
        let (blue, green) = Self.shares[step % Self.shares.count]
        let text = HotswapProcess.serverSection(TrafficSplitTests.plan(blue: blue, green: green))
        try WritePattern.allCases[step % WritePattern.allCases.count].write(text, to: configPath)
        try await Task.sleep(for: .milliseconds(12))
      }
    }
    let observations = try await withThrowingTaskGroup(of: [Observation].self) { group in
      for _ in 0..<8 {
        group.addTask {
          var seen: [Observation] = []
          seen.reserveCapacity(2600)
          var index = 0
          while index < 2500 || (!writerDone.isSet && index < 10_000) {
            do {
              let response = try await client.send(
                .POST,
                server.url("/predict"),
                body: #"{"features":[5.9,3.0,5.1,1.8]}"#
              )
              seen.append(
                Observation(status: response.status, slot: response.slot, generation: response.generation)
              )
            } catch {
              seen.append(Observation(status: -1, slot: nil, generation: nil))
            }
            index += 1
          }
          return seen
        }
      }
      var all: [Observation] = []
      for try await part in group { all += part }
      return all
    }
    try await writer.value
    let failures = observations.filter { $0.status != 200 }
    #expect(observations.count >= 20_000)
    #expect(failures.isEmpty, "\(failures.count) failed requests, e.g. status \(failures.first?.status ?? 0)")

    // Every response's slot must have had traffic in the plan of the generation that served it.
    let history = try String(
      contentsOfFile: server.directory.appendingPathComponent("state/history.jsonl").path,
      encoding: .utf8
    )
    var weightsByGeneration: [Int: [String: Double]] = [:]
    for line in history.split(separator: "\n") {
      guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        entry["result"] as? String == "applied", let generation = entry["generation"] as? Int,
        let config = entry["config"] as? String,
        let plan = try? PlanParser.parse(config, file: "history").get()
      else { continue }
      weightsByGeneration[generation] = plan.weights
    }
    try await client.shutdown()
    let generations = Set(observations.compactMap(\.generation))
    #expect(generations.count > 20, "requests saw \(generations.count) generations")
    for observation in observations {
      let generation = try #require(observation.generation)
      let weights = try #require(
        weightsByGeneration[generation],
        "generation \(generation) is in the history"
      )
      let slot = try #require(observation.slot)
      #expect(weights[slot, default: 0] > 0, "generation \(generation) gives \(slot) no traffic: \(weights)")
    }
    await server.stop()
  }
}

/// A flag one task sets and others read.
final class Flag: Sendable {
  private let value = Mutex(false)

  func set() { value.withLock { $0 = true } }
  var isSet: Bool { value.withLock { $0 } }
}
