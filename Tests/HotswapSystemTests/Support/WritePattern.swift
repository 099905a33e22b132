import Foundation

/// The ways a config file gets saved in the field.
enum WritePattern: String, CaseIterable, Sendable, CustomStringConvertible {
  case inPlace
  case temporaryAndRename
  case configMapSymlinkSwap
  case deleteThenCreate
  case burstOf200Writes
  case slowHalfWriter

  var description: String { rawValue }

  static let initialContent = "[traffic]\nblue = 100\ngreen = 0\n"

  /// The content the pattern leaves in the file.
  var finalContent: String {
    switch self {
    case .burstOf200Writes: return Self.burstContent(199)
    default: return "[traffic]\nblue = 90\ngreen = 10\n# \(rawValue)\n"
    }
  }

  static func burstContent(_ index: Int) -> String {
    "[traffic]\nblue = \(200 - index)\ngreen = \(index)\n"
  }

  /// Lays out the initial config in `directory` and returns the config path.
  func prepare(in directory: String) throws -> String {
    let configPath = directory + "/active.toml"
    if self == .configMapSymlinkSwap {
      try FileWrites.makeDirectory(directory + "/..2026_11_21_12_00_00.000")
      try FileWrites.writeInPlace(
        Self.initialContent,
        to: directory + "/..2026_11_21_12_00_00.000/active.toml"
      )
      try FileWrites.symlink("..2026_11_21_12_00_00.000", at: directory + "/..data")
      try FileWrites.symlink("..data/active.toml", at: configPath)
    } else {
      try FileWrites.writeInPlace(Self.initialContent, to: configPath)
    }
    return configPath
  }

  /// Saves ``finalContent`` the pattern's way.
  func write(configPath: String, directory: String) throws {
    switch self {
    case .inPlace:
      try FileWrites.writeInPlace(finalContent, to: configPath)
    case .temporaryAndRename:
      try FileWrites.writeAndRename(finalContent, to: configPath)
    case .configMapSymlinkSwap:
      // What the kubelet does: new timestamped directory, `..data_tmp` -> it, rename over `..data`,
      // delete the old directory.
      let next = "..2026_11_21_12_05_00.000"
      try FileWrites.makeDirectory(directory + "/" + next)
      try FileWrites.writeInPlace(finalContent, to: directory + "/" + next + "/active.toml")
      try FileWrites.swapSymlink(directory + "/..data", to: next, temporaryName: "..data_tmp")
      try FileWrites.remove(directory + "/..2026_11_21_12_00_00.000")
    case .deleteThenCreate:
      try FileWrites.remove(configPath)
      try FileWrites.write([finalContent], to: configPath, flags: O_WRONLY | O_CREAT | O_EXCL)
    case .burstOf200Writes:
      for index in 0..<200 {
        try FileWrites.writeInPlace(Self.burstContent(index), to: configPath)
      }
    case .slowHalfWriter:
      let content = Array(finalContent)
      let half = content.count / 2
      // The pause is the writer's behavior under test (a slow tool), not a wait for an event.
      try FileWrites.write([String(content[..<half]), String(content[half...])], to: configPath) {
        usleep(80_000)
      }
    }
  }
}
