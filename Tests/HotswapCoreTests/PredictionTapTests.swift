import HotswapConfig
import OnnxInference
import Synchronization
import Testing

@testable import HotswapCore

@Suite("The prediction tap: consumers decide first, only takers receive, nothing is built for nobody")
struct PredictionTapTests {
  final class Consumer: PredictionConsumer {
    let accepts: Bool
    let asked = Atomic<Int>(0)
    let received = Mutex<[ServedPrediction]>([])

    init(accepts: Bool) { self.accepts = accepts }

    func takes(_ request: PredictionRequest) -> Bool {
      asked.add(1, ordering: .relaxed)
      return accepts
    }

    func receive(_ prediction: ServedPrediction) {
      received.withLock { $0.append(prediction) }
    }
  }

  static let (_, snapshot) = ReconcilePlannerTests.serving(ReconcilePlannerTests.text())

  static func request(_ snapshot: Snapshot) -> PredictionRequest {
    PredictionRequest(
      snapshot: snapshot,
      slot: snapshot.slots[0],
      reason: .weighted,
      wireProtocol: .rest,
      endpoint: "predict"
    )
  }

  @Test func aTapWithoutConsumersBuildsNothing() {
    let tap = PredictionTap()
    var built = false
    let ticket = tap.ticket(
      for: {
        built = true
        return Self.request(Self.snapshot)
      }(),
      stickyKey: nil
    )
    #expect(ticket == nil)
    #expect(!built)
  }

  @Test func onlyTheConsumersThatTookTheRequestReceiveIt() throws {
    let declining = Consumer(accepts: false)
    let taking = Consumer(accepts: true)
    let tap = PredictionTap(consumers: [declining, taking])
    let ticket = try #require(tap.ticket(for: Self.request(Self.snapshot), stickyKey: "user-7"))
    let prediction = Prediction(value: .integer(2), className: "virginica", confidence: 0.9)
    ticket.served(
      .rows([[.number(1), .number(2), .number(3), .number(4)]]),
      .predictions([prediction]),
      latency: .microseconds(40)
    )
    #expect(declining.asked.load(ordering: .relaxed) == 1)
    #expect(declining.received.withLock { $0.isEmpty })
    let served = try #require(taking.received.withLock { $0.first })
    #expect(served.slot.name == "blue")
    #expect(served.stickyKey == "user-7")
    #expect(served.endpoint == "predict")
    #expect(served.latency == .microseconds(40))
    guard case .predictions(let predictions) = served.output else {
      Issue.record("expected predictions")
      return
    }
    #expect(predictions == [prediction])
  }

  @Test func whenNobodyTakesTheRequestThereIsNoTicket() {
    let tap = PredictionTap(consumers: [Consumer(accepts: false), Consumer(accepts: false)])
    #expect(tap.ticket(for: Self.request(Self.snapshot), stickyKey: nil) == nil)
  }

  @Test(arguments: [(0.0, 0), (0.01, 10), (0.25, 250), (0.333, 333), (1.0, 1000)])
  func anEvenSampleTakesExactlyItsShare(fraction: Double, expected: Int) {
    let taken = (0..<1000).filter { EvenSample.takes(UInt64($0), fraction: fraction) }
    #expect(taken.count == expected)
    if fraction == 0.25 {
      // One in each four consecutive requests, not a burst.
      for start in stride(from: 0, to: 1000, by: 4) {
        #expect(taken.filter { $0 >= start && $0 < start + 4 }.count == 1)
      }
    }
  }

  @Test func aLogEntryIsBoundedWhateverTheRequestsSize() throws {
    let slot = Self.snapshot.slots[0]
    let rows = Array(repeating: [FeatureValue.number(1), .number(2), .number(3), .number(4)], count: 500)
    let predictions = Array(repeating: Prediction(value: .integer(0), confidence: 0.5), count: 500)
    let served = ServedPrediction(
      snapshot: Self.snapshot,
      slot: slot,
      reason: .pinned,
      wireProtocol: .grpc,
      endpoint: "Predict",
      stickyKey: String(repeating: "k", count: 5000),
      input: .rows(rows),
      output: .predictions(predictions),
      latency: .milliseconds(1)
    )
    let entry = PredictionLogEntry(served, inputs: true)
    #expect(entry.rows == 500)
    guard case .predictions(let kept) = entry.outcome, case .rows(let keptRows) = entry.input else {
      Issue.record("expected predictions and rows")
      return
    }
    #expect(kept.count == PredictionLogEntry.maxRows)
    #expect(keptRows.count == PredictionLogEntry.maxRows)
    #expect((entry.stickyKey?.utf8.count ?? 0) <= PredictionLogEntry.maxTextBytes)
    #expect(PredictionLogEntry(served, inputs: false).input == nil)
    let big = try Tensor(shape: [1000, 4], storage: .float(Array(repeating: 1, count: 4000)))
    let tensors = ServedPrediction(
      snapshot: Self.snapshot,
      slot: slot,
      reason: .weighted,
      wireProtocol: .rest,
      endpoint: "infer",
      stickyKey: nil,
      input: .tensors([big]),
      output: .tensors([big]),
      latency: .milliseconds(1)
    )
    let tensorEntry = PredictionLogEntry(tensors, inputs: true)
    guard case .tensors(let outputs) = tensorEntry.outcome else {
      Issue.record("expected tensors")
      return
    }
    #expect(outputs[0].storage == nil)
    #expect(outputs[0].shape == [1000, 4])
    #expect(tensorEntry.estimatedBytes < 4096)
  }
}
