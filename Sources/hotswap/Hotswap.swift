import ArgumentParser

/// `hotswap`: serve blue/green model slots on one port and switch them by saving a file.
@main
struct Hotswap: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hotswap",
    abstract: "Blue/green and canary model serving in one process, switched by saving conf/active.toml.",
    version: "0.1.0",
    subcommands: [
      ServeCommand.self, CheckCommand.self, SwitchCommand.self, CanaryCommand.self, RollbackCommand.self,
      StatusCommand.self, HistoryCommand.self, PredictionsCommand.self, ShadowCommand.self,
    ],
    defaultSubcommand: nil
  )
}

/// Options every subcommand that reads the config file shares.
struct ConfigOptions: ParsableArguments {
  @Option(
    name: .long,
    help: "The config file (default: $HOTSWAP_CONFIG, ./conf/active.toml, /etc/hotswap/active.toml)."
  )
  var config: String?

  /// The config file's absolute path.
  var path: String { ConfigLocation.resolve(config) }
}
