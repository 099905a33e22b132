import Foundation
import Testing

@testable import OnnxInference

/// SplitMix64, for deterministic mutations.
private struct Mixer {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}

@Suite("Robustness")
struct RobustnessTests {
  /// Mutations per run: 3000, or `ONNX_FUZZ_ROUNDS` for a longer local campaign.
  static let rounds = ProcessInfo.processInfo.environment["ONNX_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 3000

  /// One deterministic mutation of `bytes`: bit flips, truncation, insertion, length-field corruption.
  private static func mutate(_ bytes: [UInt8], _ random: inout Mixer) -> [UInt8] {
    var out = bytes
    guard !out.isEmpty else { return out }
    switch random.below(5) {
    case 0:
      for _ in 0...random.below(4) { out[random.below(out.count)] ^= UInt8(1 << random.below(8)) }
    case 1:
      out = Array(out.prefix(random.below(out.count)))
    case 2:
      let at = random.below(out.count)
      out.insert(
        contentsOf: (0...random.below(8)).map { _ in UInt8(truncatingIfNeeded: random.next()) },
        at: at
      )
    case 3:
      // Corrupt what may be a varint length: make it huge or tiny.
      let at = random.below(out.count)
      out[at] = random.below(2) == 0 ? 0xFF : 0x01
      if at + 1 < out.count { out[at + 1] = random.below(2) == 0 ? 0xFF : 0x7F }
    default:
      let start = random.below(out.count)
      let length = min(random.below(64) + 1, out.count - start)
      out.insert(contentsOf: out[start..<start + length], at: random.below(out.count))
    }
    return out
  }

  /// Loads and (if it loads) runs `bytes`; every outcome must be a value or an `OnnxError`.
  private static func exercise(_ bytes: [UInt8], seed: Int) -> Bool {
    guard let session = try? InferenceSession(bytes: bytes) else { return false }
    let inputs = session.inputs.map { SampleModels.input(for: $0, rows: 3, seed: seed) }
    guard inputs.allSatisfy({ $0 != nil }) else { return true }
    _ = try? session.run(inputs.map { $0! })
    return true
  }

  @Test("thousands of mutated model files load-or-throw and run-or-throw, quickly")
  func fuzz() throws {
    let seeds = SampleModels.repositoryModels() + SampleModels.programmatic()
    #expect(seeds.count >= 3)
    var random = Mixer(state: 2026)
    var loaded = 0
    var total = 0
    let clock = ContinuousClock()
    let start = clock.now
    for (_, bytes) in seeds {
      #expect(Self.exercise(bytes, seed: 0), "the unmutated model must load")
      let perSeed = max(Self.rounds / seeds.count, 300)
      for round in 0..<perSeed {
        let caseStart = clock.now
        if Self.exercise(Self.mutate(bytes, &random), seed: round) { loaded += 1 }
        total += 1
        #expect(clock.now - caseStart < .seconds(5), "one mutated model took too long")
      }
    }
    #expect(total >= 2000)
    #expect(loaded > 0, "some mutations (in names or values) should still load")
    #expect(clock.now - start < .seconds(300))
  }

  @Test("many tasks calling run on one session get identical results")
  func concurrency() async throws {
    let (_, bytes) = try #require(SampleModels.programmatic().first { $0.name == "tree" })
    let session = try InferenceSession(bytes: bytes)
    let inputs = (0..<16).map { SampleModels.input(for: session.inputs[0], rows: 40, seed: $0)! }
    let expected = try inputs.map { try session.run([$0]) }
    let mismatches = await withTaskGroup(of: Int.self) { group in
      for task in 0..<64 {
        group.addTask {
          var bad = 0
          for round in 0..<50 {
            let index = (task + round) % inputs.count
            if (try? session.run([inputs[index]])) != expected[index] { bad += 1 }
          }
          return bad
        }
      }
      return await group.reduce(0, +)
    }
    #expect(mismatches == 0)
  }

  @Test("the repository's models load and run")
  func repositoryModels() throws {
    for (name, bytes) in SampleModels.repositoryModels() {
      let session = try InferenceSession(bytes: bytes)
      let inputs = session.inputs.map { SampleModels.input(for: $0, rows: 5, seed: 1)! }
      let outputs = try session.run(inputs)
      #expect(outputs.count == session.outputs.count, "\(name)")
      if case .classifier(let label, _, let classes) = session.task {
        #expect(outputs[label].elementCount == 5, "\(name)")
        #expect(!classes.isEmpty, "\(name)")
      }
    }
  }

  @Test("an empty batch (zero rows) runs on every sample model")
  func emptyBatch() throws {
    for (name, bytes) in SampleModels.repositoryModels() + SampleModels.programmatic() {
      let session = try InferenceSession(bytes: bytes)
      let inputs = session.inputs.map { SampleModels.input(for: $0, rows: 0, seed: 0)! }
      let outputs = try session.run(inputs)
      #expect(outputs.allSatisfy { $0.elementCount == 0 }, "\(name)")
    }
  }
}
