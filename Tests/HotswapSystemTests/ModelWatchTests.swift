import HotswapSystem
import Testing

@Suite("ConfigWatcher: model files (real inotify)")
struct ModelWatchTests {
  /// A config directory and a models directory with `blue.onnx` and `green.onnx`.
  struct Fixture {
    let root: TemporaryDirectory
    let watcher: ConfigWatcher
    let recorder: EventRecorder

    init() throws {
      root = try TemporaryDirectory()
      try FileWrites.makeDirectory(root.file("conf"))
      try FileWrites.makeDirectory(root.file("models"))
      try FileWrites.writeInPlace("[traffic]\n", to: root.file("conf/active.toml"))
      try FileWrites.writeInPlace("blue v1", to: root.file("models/blue.onnx"))
      try FileWrites.writeInPlace("green v1", to: root.file("models/green.onnx"))
      watcher = try ConfigWatcher(configPath: root.file("conf/active.toml"), logger: .quiet)
      recorder = EventRecorder.start(watcher, configPath: nil)
    }

    func waitFor(_ event: WatchEvent) async -> Bool {
      await recorder.wait { records, _ in records.contains { $0.event == event } }
    }
  }

  @Test("a model replaced by rename reports the configured path")
  func replacedByRename() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    let path = fixture.root.file("models/blue.onnx")
    fixture.watcher.setModelPaths([path])
    try FileWrites.writeAndRename("blue v2", to: path)
    #expect(await fixture.waitFor(.modelChanged(path: path)))
    #expect(await !fixture.recorder.records.contains { $0.event == .configChanged })
  }

  @Test("a model replaced by copy reports the configured path")
  func replacedByCopy() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    let path = fixture.root.file("models/blue.onnx")
    fixture.watcher.setModelPaths([path])
    try FileWrites.writeInPlace("blue v2", to: path)
    #expect(await fixture.waitFor(.modelChanged(path: path)))
  }

  @Test("the path is reported as given, even with dot-dot components")
  func pathAsGiven() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    let given = fixture.root.file("conf/../models/green.onnx")
    fixture.watcher.setModelPaths([given])
    try FileWrites.writeAndRename("green v2", to: fixture.root.file("models/green.onnx"))
    #expect(await fixture.waitFor(.modelChanged(path: given)))
  }

  @Test("a symlinked model path reports when the symlink is replaced")
  func symlinkReplaced() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    for version in ["v1", "v2"] {
      try FileWrites.makeDirectory(fixture.root.file("models/iris/\(version)"))
      try FileWrites.writeInPlace(
        "iris \(version)",
        to: fixture.root.file("models/iris/\(version)/model.onnx")
      )
    }
    try FileWrites.symlink("v1", at: fixture.root.file("models/iris/current"))
    let path = fixture.root.file("models/iris/current/model.onnx")
    fixture.watcher.setModelPaths([path])

    try FileWrites.swapSymlink(
      fixture.root.file("models/iris/current"),
      to: "v2",
      temporaryName: ".current.tmp"
    )
    #expect(await fixture.waitFor(.modelChanged(path: path)))
    #expect(FileWrites.read(path) == "iris v2")

    // The watch follows the new target: an in-place change inside v2 is seen too.
    let countBefore = await fixture.recorder.records.count
    try FileWrites.writeInPlace("iris v2.1", to: fixture.root.file("models/iris/v2/model.onnx"))
    #expect(await fixture.recorder.wait { records, _ in records.count > countBefore })
    #expect(await fixture.recorder.records.last?.event == .modelChanged(path: path))
  }

  @Test("a model whose directory does not exist yet is reported once it is written")
  func modelDirectoryCreatedLater() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    let path = fixture.root.file("models/iris/v3/model.onnx")
    fixture.watcher.setModelPaths([path])
    try FileWrites.makeDirectory(fixture.root.file("models/iris/v3"))
    try FileWrites.writeAndRename("iris v3", to: path)
    #expect(
      await fixture.recorder.wait { records, _ in
        records.last?.event == .modelChanged(path: path) && FileWrites.read(path) == "iris v3"
      }
    )
    // The new directory is watched from now on.
    let countBefore = await fixture.recorder.records.count
    try FileWrites.writeInPlace("iris v3.1", to: path)
    #expect(await fixture.recorder.wait { records, _ in records.count > countBefore })
    #expect(await fixture.recorder.records.last?.event == .modelChanged(path: path))
  }

  @Test("setModelPaths replacing the set stops events for the old files")
  func replacingTheSet() async throws {
    let fixture = try Fixture()
    defer { fixture.watcher.stop() }
    let blue = fixture.root.file("models/blue.onnx")
    let green = fixture.root.file("models/green.onnx")
    fixture.watcher.setModelPaths([blue])
    try FileWrites.writeInPlace("blue v2", to: blue)
    #expect(await fixture.waitFor(.modelChanged(path: blue)))

    fixture.watcher.setModelPaths([green])
    let countBefore = await fixture.recorder.records.count
    // blue sorts before green, so a wrongly routed blue event would arrive first.
    try FileWrites.writeInPlace("blue v3", to: blue)
    try FileWrites.writeInPlace("green v2", to: green)
    #expect(await fixture.waitFor(.modelChanged(path: green)))
    let later = await fixture.recorder.records.dropFirst(countBefore)
    #expect(!later.contains { $0.event == .modelChanged(path: blue) })

    fixture.watcher.setModelPaths([])
    try FileWrites.writeInPlace("green v3", to: green)
    try FileWrites.writeInPlace("marker = 1\n", to: fixture.root.file("conf/active.toml"))
    #expect(await fixture.waitFor(.configChanged))
    #expect(await fixture.recorder.records.last?.event == .configChanged)
    #expect(await fixture.recorder.records.filter { $0.event == .modelChanged(path: green) }.count == 1)
  }
}
