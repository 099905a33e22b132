import Testing

@testable import HotswapSystem

@Suite("WatchRouter: which inotify events mean which change")
struct WatchRouterTests {
  static let interests = SubscriberInterests(
    config: [
      WatchInterest(directory: "/c", name: "active.toml"), WatchInterest(directory: "/c", name: "..data"),
      WatchInterest(directory: "/c/..2026", name: "active.toml"),
    ],
    models: [
      "models/blue.onnx": [WatchInterest(directory: "/m", name: "blue.onnx")],
      "models/green.onnx": [
        WatchInterest(directory: "/m", name: "current"),
        WatchInterest(directory: "/m/v2", name: "green.onnx"),
      ],
    ]
  )

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let directory: String
    let mask: InotifyMask
    let entry: String
    let config: Bool
    let models: Set<String>
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "close-write of the config",
      directory: "/c",
      mask: .closeWrite,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "bare modify is ignored (writer still mid-write)",
      directory: "/c",
      mask: .modify,
      entry: "active.toml",
      config: false,
      models: []
    ),
    Case(
      name: "rename onto the config",
      directory: "/c",
      mask: .movedTo,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "rename away from the config",
      directory: "/c",
      mask: .movedFrom,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "delete of the config",
      directory: "/c",
      mask: .delete,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "create of the config",
      directory: "/c",
      mask: .create,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "attribute change (symlink retarget)",
      directory: "/c",
      mask: .attributes,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "..data swapped by the kubelet",
      directory: "/c",
      mask: [.movedTo],
      entry: "..data",
      config: true,
      models: []
    ),
    Case(
      name: "..data_tmp created is not the config",
      directory: "/c",
      mask: .create,
      entry: "..data_tmp",
      config: false,
      models: []
    ),
    Case(
      name: "in-place edit in the timestamped directory",
      directory: "/c/..2026",
      mask: .closeWrite,
      entry: "active.toml",
      config: true,
      models: []
    ),
    Case(
      name: "an unrelated file",
      directory: "/c",
      mask: .closeWrite,
      entry: "notes.txt",
      config: false,
      models: []
    ),
    Case(
      name: "config directory deleted",
      directory: "/c",
      mask: .deleteSelf,
      entry: "",
      config: true,
      models: []
    ),
    Case(
      name: "config directory moved",
      directory: "/c",
      mask: .moveSelf,
      entry: "",
      config: true,
      models: []
    ),
    Case(
      name: "a model copied over",
      directory: "/m",
      mask: .closeWrite,
      entry: "blue.onnx",
      config: false,
      models: ["models/blue.onnx"]
    ),
    Case(
      name: "a model renamed over",
      directory: "/m",
      mask: .movedTo,
      entry: "blue.onnx",
      config: false,
      models: ["models/blue.onnx"]
    ),
    Case(
      name: "a model deleted is not new content",
      directory: "/m",
      mask: .delete,
      entry: "blue.onnx",
      config: false,
      models: []
    ),
    Case(
      name: "a model's symlink replaced",
      directory: "/m",
      mask: .movedTo,
      entry: "current",
      config: false,
      models: ["models/green.onnx"]
    ),
    Case(
      name: "model directory deleted",
      directory: "/m",
      mask: .deleteSelf,
      entry: "",
      config: false,
      models: ["models/blue.onnx", "models/green.onnx"]
    ),
    Case(
      name: "plain access of the directory",
      directory: "/m",
      mask: .isDirectory,
      entry: "",
      config: false,
      models: []
    ),
  ]

  @Test("routing", arguments: cases)
  func route(_ testCase: Case) {
    let event = InotifyEvent(watchDescriptor: 1, mask: testCase.mask, name: testCase.entry)
    let changes = WatchRouter.route(event, directories: [testCase.directory], interests: Self.interests)
    #expect(changes == RoutedChanges(config: testCase.config, models: testCase.models))
  }

  @Test("a queue overflow means everything may have changed")
  func overflow() {
    let event = InotifyEvent(watchDescriptor: -1, mask: .queueOverflow, name: "")
    let changes = WatchRouter.route(event, directories: [], interests: Self.interests)
    #expect(changes == RoutedChanges(config: true, models: ["models/blue.onnx", "models/green.onnx"]))
  }

  @Test("coalesced changes become config first, then models in path order")
  func eventOrder() {
    var changes = RoutedChanges(models: ["b"])
    changes.formUnion(RoutedChanges(config: true, models: ["a", "b"]))
    #expect(changes.events == [.configChanged, .modelChanged(path: "a"), .modelChanged(path: "b")])
    #expect(RoutedChanges().isEmpty)
  }

  @Test("the directory watch mask never asks for IN_MODIFY")
  func watchMask() {
    #expect(!InotifyMask.directoryWatch.contains(.modify))
    #expect(
      InotifyMask.directoryWatch.isSuperset(of: [
        .closeWrite, .movedTo, .movedFrom, .create, .delete, .attributes,
      ])
    )
    #expect(InotifyMask.directoryWatch.isSuperset(of: [.deleteSelf, .moveSelf, .onlyDirectory]))
  }
}
