import AsyncHTTPClient
import Foundation
import Testing

/// The split is exact over short windows and sticky keys keep their slot — through the real
/// server, under concurrency.
@Suite(.serialized)
struct TrafficSplitTests {
  static func plan(blue: Double, green: Double, sticky: Bool = false) -> String {
    """
    [slots.blue]
    model = "\(HotswapProcess.model("iris/v1.0.0"))"
    [slots.green]
    model = "\(HotswapProcess.model("iris/v1.1.0"))"
    [traffic]
    blue = \(blue)
    green = \(green)
    \(sticky ? "sticky_header = \"x-user-id\"" : "")
    """
  }

  @Test func tenThousandRequestsAtNinetyTenSplitExactly() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 90, green: 10))
    let client = HTTPClient.shared
    let counts = try await withThrowingTaskGroup(of: [String: Int].self) { group in
      for _ in 0..<8 {
        group.addTask {
          var counts: [String: Int] = [:]
          for _ in 0..<1250 {
            let response = try await client.send(
              .POST,
              server.url("/predict"),
              body: #"{"features":[5.1,3.5,1.4,0.2]}"#
            )
            counts[response.slot ?? "none", default: 0] += 1
          }
          return counts
        }
      }
      var total: [String: Int] = [:]
      for try await part in group { total.merge(part, uniquingKeysWith: +) }
      return total
    }
    #expect(counts == ["blue": 9000, "green": 1000])
    await server.stop()
  }

  @Test func stickyKeysKeepTheirSlotAndOnlyMoveTowardTheGrowingSlot() async throws {
    let server = try await HotswapProcess(config: Self.plan(blue: 90, green: 10, sticky: true))
    let client = HTTPClient.shared
    func slots() async throws -> [String: String] {
      var result: [String: String] = [:]
      for user in 0..<400 {
        let key = "user-\(user)"
        let first = try await client.send(.GET, server.url("/health"), headers: [("x-user-id", key)])
        let second = try await client.send(.GET, server.url("/health"), headers: [("x-user-id", key)])
        #expect(first.slot == second.slot, "\(key) changed slot between two requests")
        result[key] = first.slot
      }
      return result
    }
    let before = try await slots()
    let greenBefore = before.values.filter { $0 == "green" }.count
    #expect((20...80).contains(greenBefore), "about 10 % of 400 keys on green, got \(greenBefore)")
    try WritePattern.renameOver.write(
      HotswapProcess.serverSection(Self.plan(blue: 50, green: 50, sticky: true)),
      to: server.configPath
    )
    try await ConfigReloadTests.waitForShares(client, server, blue: 0.5, green: 0.5)
    let after = try await slots()
    let movedBack = before.filter { $0.value == "green" && after[$0.key] != "green" }
    #expect(movedBack.isEmpty, "raising green moved keys away from green: \(movedBack.keys.sorted())")
    #expect(after.values.filter { $0 == "green" }.count > greenBefore)
    await server.stop()
  }
}
