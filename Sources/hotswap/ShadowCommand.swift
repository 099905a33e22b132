import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore
import SystemPackage

/// `hotswap shadow`: what the shadow recorded.
struct ShadowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shadow",
    abstract: "Inspect shadow traffic: the disagreements the shadow recorded.",
    subcommands: [ShadowDiffsCommand.self]
  )
}

/// `hotswap shadow diffs`: the disagreement sample (`[shadow] record = N`) from the state
/// directory, oldest first: time, input, both predictions.
struct ShadowDiffsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diffs",
    abstract: "Print the requests on which the shadow disagreed with the live slot ([shadow] record = N)."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "Show only the last N disagreements.")
  var last: Int?

  @Flag(help: "Print the records as JSON lines, as stored.")
  var json = false

  func run() async throws {
    let directory = ConfigLocation.stateDirectory(forConfigAt: options.path)
    let path = FilePath.appending("shadow-disagreements.jsonl", to: directory)
    var records = DisagreementSample.records(at: path)
    if let last { records = Array(records.suffix(max(0, last))) }
    guard !records.isEmpty else {
      print(
        "no disagreements recorded in \(path)\n"
          + "(the shadow keeps them only with record = N in [shadow]; they hold request inputs, so mind who may read them)"
      )
      return
    }
    if json {
      for record in records {
        print(String(decoding: try DisagreementSample.line(record), as: UTF8.self))
      }
      return
    }
    for record in records {
      print(Self.render(record))
    }
  }

  static func render(_ record: DisagreementRecord) -> String {
    var lines = [
      "\(record.time)  \(record.wireProtocol) \(record.endpoint)"
        + (record.row > 0 ? "  row \(record.row)" : "")
    ]
    lines.append("  input:  \(record.input.text)" + (record.inputTruncated ? " (cut short)" : ""))
    let width = max(record.live.slot.count, record.shadow.slot.count)
    for (answer, role) in [(record.live, "live"), (record.shadow, "shadow")] {
      // Not `String.padding(toLength:…)`: it is Foundation's, and linking it alone pulled all of
      // Foundation and ICU into the binary (+45 MB stripped).
      let name = answer.slot + String(repeating: " ", count: max(0, width - answer.slot.count))
      var line = "  \(name) \(answer.version) (\(role)): \(answer.prediction.text)"
      if let className = answer.className { line += " (\(className))" }
      if let probabilities = answer.probabilities {
        line +=
          "  p=[" + probabilities.map { FixedPoint.format($0, decimals: 4) }.joined(separator: ", ") + "]"
      }
      lines.append(line)
    }
    if let difference = record.difference {
      lines.append("  difference: \(difference.isFinite ? FixedPoint.format(difference, decimals: 4) : "∞")")
    }
    return lines.joined(separator: "\n")
  }
}
