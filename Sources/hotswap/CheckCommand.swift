import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore

/// `hotswap check [path]`: validate the config and load every model, like `nginx -t`.
struct CheckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Validate a config file and load every model it names; exit 1 with the reasons if anything is wrong."
  )

  @Argument(help: "The config file (default: as for --config of the other commands).")
  var path: String?

  func run() async throws {
    let configPath = ConfigLocation.resolve(path)
    switch PlanCheck.run(configPath: configPath) {
    case .success(let report):
      print("\(configPath): ok")
      for line in report { print("  " + line) }
    case .failure(let failure):
      let errors = failure.messages
      for error in errors { StandardStream.error(error + "\n") }
      StandardStream.error(
        "\(configPath): check failed (\(errors.count) error\(errors.count == 1 ? "" : "s"))\n"
      )
      throw ExitCode(1)
    }
  }
}

/// Parses a config file and loads every model, without serving: shared by `check`, `switch` and
/// `canary`, so nothing is written that the server would reject.
enum PlanCheck {
  /// One line per slot on success; one message per error on failure.
  static func run(configPath: String) -> Result<[String], CheckFailure> {
    check(ConfigRead.read(configPath).result, configPath: configPath)
  }

  /// Checks `text` as if it were the content of `configPath`.
  static func run(text: String, configPath: String) -> Result<[String], CheckFailure> {
    check(PlanParser.parse(text, file: configPath), configPath: configPath)
  }

  /// Loads every model of a parsed file.
  private static func check(
    _ parsed: Result<Plan, ConfigErrors>,
    configPath: String
  ) -> Result<[String], CheckFailure> {
    let plan: Plan
    switch parsed {
    case .failure(let errors): return .failure(CheckFailure(messages: errors.errors.map(\.description)))
    case .success(let valid): plan = valid
    }
    var lines: [String] = []
    var errors: [String] = []
    let loader = ModelLoader()
    var loaded: [String: Result<LoadedModel, ModelLoadError>] = [:]
    for slot in plan.slots {
      do {
        // Two slots naming one file load it once, as the server does.
        let result =
          loaded[slot.modelPath]
          ?? Result { () throws(ModelLoadError) in try loader.load(path: slot.modelPath) }
        loaded[slot.modelPath] = result
        let base = try result.get()
        let model = slot.version.map { base.labeled(version: $0) } ?? base
        let share = Int((plan.share(of: slot.name) * 100).rounded())
        lines.append(
          "slot \(slot.name): \(model.version), \(share) % of traffic, \(model.schema.featureCount) features, "
            + "loaded in \(FixedPoint.format(model.loadDuration.milliseconds, decimals: 1)) ms (\(slot.configuredModel))"
        )
      } catch {
        errors.append(
          "\(configPath):\(slot.modelLine): slot '\(slot.name)': model \(error.path): \(error.reason)"
        )
      }
    }
    return errors.isEmpty ? .success(lines) : .failure(CheckFailure(messages: errors))
  }
}

/// The reasons a config file failed `hotswap check`.
struct CheckFailure: Error {
  let messages: [String]
}
