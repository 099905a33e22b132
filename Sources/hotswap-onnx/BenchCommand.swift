import ArgumentParser
import Foundation
import HotswapJSON
import OnnxInference

/// `hotswap-onnx bench MODEL --batch N`: latency and throughput of `run` on random inputs.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure per-call latency and per-row throughput on random inputs (fixed seed)."
  )

  @Argument(help: "Path of the model.onnx file.")
  var model: String

  @Option(help: "Rows per call (the size of every dynamic dimension).")
  var batch: Int = 1

  @Option(help: "Measurement time in seconds (after a warm-up).")
  var seconds: Double = 2

  @Option(help: "Threads calling the same session at once.")
  var threads: Int = 1

  @Option(help: "Use the tensors of this IN.json file instead of random inputs.")
  var input: String?

  func validate() throws {
    guard batch >= 1, batch <= 10_000_000 else {
      throw ValidationError("--batch must be between 1 and 10000000")
    }
    guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
    guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
  }

  func run() throws {
    let session = try loadSession(model)
    let inputs: [Tensor]
    var rows = batch
    if let input {
      let named = try TensorJSON.readInputs(path: input)
      inputs = try session.inputs.map { info in
        guard let tensor = named[info.name] else {
          throw OnnxCommandError(message: "input file lacks '\(info.name)'")
        }
        return tensor
      }
      rows = inputs.first?.shape.first ?? 1
    } else {
      var random = SplitMix64(seed: 0x5EED)
      inputs = try session.inputs.map { try Self.randomTensor($0, batch: batch, random: &random) }
    }
    do {
      _ = try session.run(inputs)
    } catch {
      throw OnnxCommandError(message: error.description)
    }
    let warmUp = Self.measure(session, inputs, seconds: min(0.3, seconds / 4), threads: threads)
    _ = warmUp
    let result = Self.measure(session, inputs, seconds: seconds, threads: threads)
    let sorted = result.latencies.sorted()
    let p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    let mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    print(
      JSONValue.members([
        ("model", .string(model)),
        ("batch", .int(Int64(rows))),
        ("threads", .int(Int64(threads))),
        ("calls", .int(Int64(sorted.count))),
        ("us_per_call_p50", .double(p50)),
        ("us_per_call_mean", .double(mean)),
        ("rows_per_second", .double(Double(sorted.count * rows) / result.elapsed)),
      ]).rendered
    )
  }

  /// Calls `run` from `threads` threads for `seconds`; per-call latencies in microseconds.
  static func measure(
    _ session: InferenceSession,
    _ inputs: [Tensor],
    seconds: Double,
    threads: Int
  ) -> (latencies: [Double], elapsed: Double) {
    let lock = NSLock()
    nonisolated(unsafe) var all: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    let deadline = start + UInt64(seconds * 1e9)
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
      var local: [Double] = []
      local.reserveCapacity(1 << 16)
      var now = DispatchTime.now().uptimeNanoseconds
      while now < deadline {
        _ = try? session.run(inputs)
        let after = DispatchTime.now().uptimeNanoseconds
        local.append(Double(after - now) / 1000)
        now = after
      }
      lock.lock()
      all.append(contentsOf: local)
      lock.unlock()
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (all, elapsed)
  }

  /// A random tensor for `info`, dynamic dimensions set to `batch`.
  static func randomTensor(_ info: TensorInfo, batch: Int, random: inout SplitMix64) throws -> Tensor {
    guard !info.shape.isEmpty else {
      throw OnnxCommandError(message: "input '\(info.name)' has no declared shape; pass --input")
    }
    let shape = info.shape.map { $0 ?? batch }
    let count = shape.reduce(1, *)
    let storage: Tensor.Storage
    switch info.dataType {
    case .float: storage = .float((0..<count).map { _ in Float(random.unit() * 4 - 1) })
    case .double: storage = .double((0..<count).map { _ in random.unit() * 4 - 1 })
    case .int64: storage = .int64((0..<count).map { _ in Int64(random.unit() * 10) })
    case .int32: storage = .int32((0..<count).map { _ in Int32(random.unit() * 10) })
    case .bool: storage = .bool((0..<count).map { _ in random.unit() < 0.5 })
    case .string:
      throw OnnxCommandError(
        message: "input '\(info.name)' is BYTES: bench supports numeric models only; pass --input"
      )
    }
    return try Tensor(shape: shape, storage: storage)
  }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix64 {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  /// The next value in [0, 1).
  mutating func unit() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53)
  }
}
