import FoundationEssentials
import HotswapConfig
import HotswapCore
import SystemPackage

/// Where the config file and the state directory are, for every subcommand.
enum ConfigLocation {
  /// `--config` if given, else `$HOTSWAP_CONFIG`, else `conf/active.toml` if it exists here, else
  /// `/etc/hotswap/active.toml`. Returned as an absolute path, symlinks not resolved.
  static func resolve(_ option: String?) -> String {
    let environment = ProcessInfo.processInfo.environment
    let chosen: String
    if let option {
      chosen = option
    } else if let fromEnvironment = environment["HOTSWAP_CONFIG"], !fromEnvironment.isEmpty {
      chosen = fromEnvironment
    } else if FileManager.default.fileExists(atPath: "conf/active.toml") {
      chosen = "conf/active.toml"
    } else {
      chosen = "/etc/hotswap/active.toml"
    }
    return absolute(chosen)
  }

  static func absolute(_ path: String) -> String {
    FilePath.resolving(path, against: FileManager.default.currentDirectoryPath)
  }

  /// The state directory of the config file at `configPath`. Only `[server]` is read, so a file
  /// broken elsewhere still leads `rollback` and `history` to the server's history — a broken file
  /// is when they are needed most.
  static func stateDirectory(forConfigAt configPath: String) -> String {
    stateDirectory(for: ConfigRead.read(configPath), configPath: configPath)
  }

  /// The state directory named by a read of the config file (see ``stateDirectory(forConfigAt:)``).
  static func stateDirectory(for read: ConfigRead, configPath: String) -> String {
    stateDirectory(configured: read.server(configPath: configPath)?.stateDirectory, configPath: configPath)
  }

  /// The state directory (history, guard trips): `[server] state_directory`, else
  /// `$HOTSWAP_STATE_DIRECTORY`, else systemd's `$STATE_DIRECTORY`, else `.hotswap-state` beside
  /// the config file.
  static func stateDirectory(configured: String?, configPath: String) -> String {
    let environment = ProcessInfo.processInfo.environment
    if let configured { return absolute(configured) }
    if let value = environment["HOTSWAP_STATE_DIRECTORY"], !value.isEmpty { return absolute(value) }
    if let value = environment["STATE_DIRECTORY"], !value.isEmpty {
      return absolute(String(value.split(separator: ":").first ?? Substring(value)))
    }
    return FilePath.appending(".hotswap-state", to: FilePath(configPath).removingLastComponent().string)
  }
}
