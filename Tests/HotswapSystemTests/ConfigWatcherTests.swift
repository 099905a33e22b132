import Foundation
import Testing

@testable import HotswapSystem

@Suite("ConfigWatcher: config file write patterns (real inotify)")
struct ConfigWatcherTests {
  @Test("the final content is seen after every write pattern", arguments: WritePattern.allCases)
  func finalContentIsSeen(pattern: WritePattern) async throws {
    let directory = try TemporaryDirectory()
    let configPath = try pattern.prepare(in: directory.path)
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { watcher.stop() }
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    let finalContent = pattern.finalContent
    let (writeStart, writeDone) = try await BlockingWork.run {
      let start = ContinuousClock.now
      try pattern.write(configPath: configPath, directory: directory.path)
      return (start, ContinuousClock.now)
    }

    // An emission after the write began that read the final content. (Not "received after the
    // writer returned": a save that ends with the writer's close is emitted at once, and the
    // event may well be handled before the writing thread reads the clock again.)
    let applied = await recorder.wait { records, _ in
      let config = records.filter { $0.event == .configChanged }
      return config.last?.content == finalContent && config.contains { $0.receivedAt > writeStart }
    }
    let records = await recorder.configRecords
    #expect(
      applied,
      "no .configChanged after the final write read the final content; got \(records.map(\.content))"
    )
    #expect(records.contains { $0.receivedAt > writeStart })
    #expect(records.last?.content == finalContent)
    switch pattern {
    case .burstOf200Writes:
      // Writes closer than the settle time share an emission; no emission is held back, so on a
      // loaded machine (writes further apart) there may be up to one per write — never more.
      let burst = writeDone - writeStart
      #expect(
        records.count <= 200,
        "\(records.count) events for 200 writes in \(burst): the watcher must never report more than were made"
      )
    case .slowHalfWriter, .inPlace:
      // IN_MODIFY is ignored: nothing fires while the writer still holds the file open.
      #expect(
        records.allSatisfy { $0.content == finalContent },
        "an event fired mid-write: \(records.map(\.content))"
      )
    default:
      break
    }
  }

  @Test("after a ConfigMap swap the new timestamped directory is watched, the old one dropped")
  func configMapFollowsTheSwap() async throws {
    let directory = try TemporaryDirectory()
    let configPath = try WritePattern.configMapSymlinkSwap.prepare(in: directory.path)
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { watcher.stop() }
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    try WritePattern.configMapSymlinkSwap.write(configPath: configPath, directory: directory.path)
    let finalContent = WritePattern.configMapSymlinkSwap.finalContent
    #expect(await recorder.wait { records, _ in records.last?.content == finalContent })

    // Not what the kubelet does, but an operator editing the live file must be seen too.
    try FileWrites.writeInPlace(
      "edited = true\n",
      to: directory.file("..2026_11_21_12_05_00.000/active.toml")
    )
    #expect(await recorder.wait { records, _ in records.last?.content == "edited = true\n" })
  }

  @Test("a deleted and recreated config directory is watched again")
  func directoryRecreated() async throws {
    let root = try TemporaryDirectory()
    let directory = root.file("conf")
    let configPath = directory + "/active.toml"
    try FileWrites.makeDirectory(directory)
    try FileWrites.writeInPlace(WritePattern.initialContent, to: configPath)
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { watcher.stop() }
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    try FileWrites.remove(directory)
    let gone = await recorder.wait { records, _ in
      records.contains { $0.event == .configChanged && $0.content == nil }
    }
    #expect(gone, "deleting the directory must report a change")

    try FileWrites.makeDirectory(directory)
    try FileWrites.writeAndRename("recreated = true\n", to: configPath)
    let back = await recorder.wait { records, _ in records.last?.content == "recreated = true\n" }
    #expect(back, "the recreated directory's file was not seen")

    try FileWrites.writeInPlace("edited = true\n", to: configPath)
    let edited = await recorder.wait { records, _ in records.last?.content == "edited = true\n" }
    #expect(edited, "an in-place edit in the recreated directory was not seen")
  }

  @Test("the config directory may not exist yet: it is picked up when created")
  func directoryCreatedLater() async throws {
    let root = try TemporaryDirectory()
    let configPath = root.file("later/conf/active.toml")
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { watcher.stop() }
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    try FileWrites.makeDirectory(root.file("later/conf"))
    try FileWrites.writeInPlace("created = true\n", to: configPath)
    let seen = await recorder.wait { records, _ in records.last?.content == "created = true\n" }
    #expect(seen)
  }

  @Test("unrelated files in the directory do not fire")
  func unrelatedFilesAreIgnored() async throws {
    let directory = try TemporaryDirectory()
    let configPath = directory.file("active.toml")
    try FileWrites.writeInPlace(WritePattern.initialContent, to: configPath)
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { watcher.stop() }
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    try FileWrites.writeInPlace("noise", to: directory.file("notes.txt"))
    try FileWrites.writeInPlace("marker = 1\n", to: configPath)
    let seen = await recorder.wait { records, _ in records.last?.content == "marker = 1\n" }
    #expect(seen)
    // Events are emitted in order, so had notes.txt fired, a record would precede the marker's.
    #expect(await recorder.configRecords.count == 1)
  }

  @Test("two watchers share the process's inotify instance independently")
  func watchersShareTheInstance() async throws {
    let directory = try TemporaryDirectory()
    let configPath = directory.file("active.toml")
    try FileWrites.writeInPlace(WritePattern.initialContent, to: configPath)
    let first = try ConfigWatcher(configPath: configPath, logger: .quiet)
    let second = try ConfigWatcher(configPath: configPath, logger: .quiet)
    defer { second.stop() }
    let firstRecorder = EventRecorder.start(first, configPath: configPath)
    let secondRecorder = EventRecorder.start(second, configPath: configPath)

    try FileWrites.writeInPlace("both = 1\n", to: configPath)
    #expect(await firstRecorder.wait { records, _ in records.last?.content == "both = 1\n" })
    #expect(await secondRecorder.wait { records, _ in records.last?.content == "both = 1\n" })

    first.stop()
    #expect(await firstRecorder.wait { _, finished in finished })
    try FileWrites.writeInPlace("second only = 1\n", to: configPath)
    #expect(await secondRecorder.wait { records, _ in records.last?.content == "second only = 1\n" })
  }

  @Test("stop() ends the stream and is idempotent")
  func stopEndsTheStream() async throws {
    let directory = try TemporaryDirectory()
    let configPath = directory.file("active.toml")
    try FileWrites.writeInPlace(WritePattern.initialContent, to: configPath)
    let watcher = try ConfigWatcher(configPath: configPath, logger: .quiet)
    let recorder = EventRecorder.start(watcher, configPath: configPath)

    watcher.stop()
    // A deadline, not a timing assertion: on a loaded machine the thread may take a while to wake.
    let finished = await recorder.wait(timeout: .seconds(10)) { _, finished in finished }
    #expect(finished)
    watcher.stop()
    try FileWrites.writeInPlace("after stop\n", to: configPath)
    #expect(await recorder.records.isEmpty)
  }

  @Test(
    "paths that cannot name a file are rejected",
    arguments: ["", "conf/", "/tmp/conf/..", "/tmp/conf/."]
  )
  func invalidPaths(path: String) throws {
    let error = #expect(throws: WatcherError.self) { try ConfigWatcher(configPath: path, logger: .quiet) }
    #expect(error?.code == .invalidPath)
    #expect(error?.message.contains("cannot watch") == true)
  }
}
