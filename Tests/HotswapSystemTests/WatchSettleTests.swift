import Testing

@testable import HotswapSystem

@Suite("WatchRouter.isSettled: which bursts end a save and are emitted without waiting")
struct WatchSettleTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let events: [(CInt, InotifyMask, String)]
    let settled: Bool
    var testDescription: String { name }
  }

  /// Watch 1 covers the config directory `/c`, 2 the model directory `/m`, 3 a directory nobody
  /// is interested in.
  static func directories(_ descriptor: CInt) -> Set<String> {
    switch descriptor {
    case 1: ["/c"]
    case 2: ["/m"]
    case 3: ["/elsewhere"]
    default: []
    }
  }

  static let cases: [Case] = [
    Case(
      name: "an in-place save: the writer's close",
      events: [(1, .closeWrite, "active.toml")],
      settled: true
    ),
    Case(
      name: "a rename save: temporary file created, closed, renamed over the config",
      events: [
        (1, .create, ".active.toml.tmp"), (1, .closeWrite, ".active.toml.tmp"),
        (1, .movedFrom, ".active.toml.tmp"),
        (1, .movedTo, "active.toml"),
      ],
      settled: true
    ),
    Case(
      name: "the temporary file alone touches nothing watched",
      events: [(1, .create, ".active.toml.tmp"), (1, .closeWrite, ".active.toml.tmp")],
      settled: true
    ),
    Case(name: "a delete waits for the new file", events: [(1, .delete, "active.toml")], settled: false),
    Case(
      name: "a delete and a create wait for the writer's close",
      events: [(1, .delete, "active.toml"), (1, .create, "active.toml")],
      settled: false
    ),
    Case(
      name: "delete, create and close end the save",
      events: [(1, .delete, "active.toml"), (1, .create, "active.toml"), (1, .closeWrite, "active.toml")],
      settled: true
    ),
    Case(name: "a move away waits", events: [(1, .movedFrom, "active.toml")], settled: false),
    Case(
      name: "a ConfigMap's ..data swap",
      events: [(1, .create, "..data_tmp"), (1, .movedTo, "..data")],
      settled: true
    ),
    Case(name: "a chmod", events: [(1, .attributes, "active.toml")], settled: true),
    Case(
      name: "one entry finished, another half done",
      events: [(1, .closeWrite, "active.toml"), (2, .create, "blue.onnx")],
      settled: false
    ),
    Case(
      name: "a model written and closed",
      events: [(2, .create, "blue.onnx"), (2, .closeWrite, "blue.onnx")],
      settled: true
    ),
    Case(name: "events in an unwatched directory", events: [(3, .delete, "active.toml")], settled: true),
    Case(name: "the config directory going away", events: [(1, .deleteSelf, "")], settled: false),
    Case(
      name: "a queue overflow is final",
      events: [(1, .delete, "active.toml"), (-1, .queueOverflow, "")],
      settled: true
    ),
  ]

  @Test(arguments: cases)
  func settles(_ testCase: Case) {
    let interests = SubscriberInterests(
      config: [
        WatchInterest(directory: "/c", name: "active.toml"), WatchInterest(directory: "/c", name: "..data"),
      ],
      models: ["blue.onnx": [WatchInterest(directory: "/m", name: "blue.onnx")]]
    )
    let events = testCase.events.map { InotifyEvent(watchDescriptor: $0.0, mask: $0.1, name: $0.2) }
    #expect(
      WatchRouter.isSettled(events, directories: Self.directories, interests: [interests]) == testCase.settled
    )
  }

  @Test func noSubscriberMeansNothingToWaitFor() {
    let events = [InotifyEvent(watchDescriptor: 1, mask: .delete, name: "active.toml")]
    #expect(WatchRouter.isSettled(events, directories: Self.directories, interests: []))
  }

  @Test func aSaveSplitOverTwoDrainsSettlesWithItsSecondHalf() {
    let interests = [SubscriberInterests(config: [WatchInterest(directory: "/c", name: "active.toml")])]
    var progress = SaveProgress()
    progress.observe(
      [InotifyEvent(watchDescriptor: 1, mask: .delete, name: "active.toml")],
      directories: Self.directories,
      interests: interests
    )
    #expect(!progress.isSettled)
    progress.observe(
      [
        InotifyEvent(watchDescriptor: 1, mask: .create, name: "active.toml"),
        InotifyEvent(watchDescriptor: 1, mask: .closeWrite, name: "active.toml"),
      ],
      directories: Self.directories,
      interests: interests
    )
    #expect(progress.isSettled)
  }
}
