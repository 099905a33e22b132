import ArgumentParser
import FoundationEssentials
import HotswapServer

/// `hotswap predictions`: the last lines of the prediction log, readable or as JSON, and new ones
/// as they are written.
struct PredictionsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predictions",
    abstract: "Print the prediction log: what each slot answered ([prediction_log] in the config).",
    discussion: """
      The server writes one line per sampled prediction to predictions.jsonl in its state \
      directory ([prediction_log] sample, default 0.01: one prediction in a hundred). \
      Inputs are written only with [prediction_log] inputs = true.
      """
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "Show the last N predictions.")
  var last: Int = 20

  @Option(help: "Show only predictions answered by this slot.")
  var slot: String?

  @Flag(name: [.short, .long], help: "Keep printing new predictions as they are logged (Ctrl-C stops).")
  var follow = false

  @Flag(help: "Print the log's JSON lines as they are.")
  var json = false

  func run() async throws {
    let directory = ConfigLocation.stateDirectory(forConfigAt: options.path)
    let path = directory + (directory.hasSuffix("/") ? "" : "/") + PredictionLog.fileName
    if let problem = PredictionLogFile.unreadable(path) {
      StandardStream.error("hotswap: cannot read \(path): \(problem) (the service user's files: try sudo)\n")
      throw ExitCode(1)
    }
    let lines = PredictionLogFile.lastLines(rotatedPath: path + ".1", path: path, count: max(0, last)) {
      matches($0)
    }
    if lines.isEmpty && !follow && last > 0 {
      if let slot {
        print("no predictions answered by slot '\(slot)' in \(path)")
      } else {
        print(
          "no predictions logged yet in \(path) (see [prediction_log] in the config: sample = 0 turns it off)"
        )
      }
      return
    }
    StandardStream.output(lines.map(text).joined())
    guard follow else { return }
    var reader = PredictionLogFile.Follower(path: path)
    while !Task.isCancelled {
      let new = reader.newLines().filter(matches)
      if !new.isEmpty { StandardStream.output(new.map(text).joined()) }
      try await Task.sleep(for: .milliseconds(250))
    }
  }

  private func matches(_ line: ArraySlice<UInt8>) -> Bool {
    guard let slot else { return true }
    return PredictionLineText.field("slot", in: line) == slot
  }

  private func text(_ line: ArraySlice<UInt8>) -> String {
    (json ? String(decoding: line, as: UTF8.self) : PredictionLineText.describe(line)) + "\n"
  }
}
