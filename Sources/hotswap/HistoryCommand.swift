import ArgumentParser
import FoundationEssentials
import HotswapCore

/// `hotswap history`: the audit trail of applied and rejected changes.
struct HistoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Print the history of applied and rejected config changes (the audit trail)."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "Show only the last N entries.")
  var last: Int?

  func run() async throws {
    let configPath = options.path
    let directory = ConfigLocation.stateDirectory(forConfigAt: configPath)
    let audit = try AuditTrail(directory: directory)
    var entries = audit.entries()
    if let last { entries = Array(entries.suffix(max(0, last))) }
    guard !entries.isEmpty else {
      print("no history yet in \(audit.path)")
      return
    }
    for entry in entries {
      let who = [entry.owner, entry.mode].compactMap { $0 }.joined(separator: " ")
      var line =
        "\(entry.time)  gen \(entry.generation)  \(entry.result.rawValue.uppercased())  [\(entry.trigger)]  \(entry.diff)"
      if let reason = entry.reason { line += "  reason: \(reason)" }
      line += "  sha256:\(entry.configSHA256.prefix(12))"
      if !who.isEmpty { line += "  file: \(who)" }
      print(line)
    }
  }
}
