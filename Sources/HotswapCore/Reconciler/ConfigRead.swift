import HotswapConfig

/// One read of the config file: its text and SHA-256, and the plan it holds or every problem.
/// Reading is bounded (``ConfigLimits/maxFileBytes``, checked on the opened file; a FIFO or a
/// device is named, never opened) and so is parsing, so a read takes milliseconds whatever the
/// file holds.
public struct ConfigRead: Sendable {
  /// The text, nil when the file could not be read.
  public let text: String?
  /// SHA-256 of the text, nil when the file could not be read.
  public let sha256: String?
  /// The validated plan, or every problem (one when the file could not be read).
  public let result: Result<Plan, ConfigErrors>

  /// Creates a read from its parts (tests).
  public init(text: String?, sha256: String?, result: Result<Plan, ConfigErrors>) {
    self.text = text
    self.sha256 = sha256
    self.result = result
  }

  /// The plan, when the file holds a valid one.
  public var plan: Plan? { try? result.get() }

  /// The `[server]` settings: the plan's, or — the rest of the file being broken — those of
  /// `[server]` alone (parsed again, only then), so that a broken file still says where the
  /// server listens and keeps its state. Nil when the file is unreadable or `[server]` is broken.
  public func server(configPath: String) -> ServerSettings? {
    if let plan { return plan.server }
    return text.flatMap { try? PlanParser.serverSettings($0, file: configPath).get() }
  }

  /// Every problem as `file:line: message`; empty for a valid plan.
  public var errors: [String] {
    guard case .failure(let errors) = result else { return [] }
    return errors.errors.map(\.description)
  }

  /// Reads and parses the config file at `path`. Blocking file I/O: call it off event loops and
  /// off the reconciler's actor.
  public static func read(_ path: String) -> ConfigRead {
    let text: String
    do {
      text = try RegularFile.readText(path, limit: ConfigLimits.maxFileBytes)
    } catch {
      let problem = ConfigError(
        file: path,
        line: nil,
        message: "cannot read the config file: it \(error.reason)"
      )
      return ConfigRead(text: nil, sha256: nil, result: .failure(ConfigErrors([problem])))
    }
    return ConfigRead(
      text: text,
      sha256: SHA256.hexDigest(of: text.utf8),
      result: PlanParser.parse(text, file: path)
    )
  }

  /// The size from which a config counts as large: after a pass that read one, or replaced one,
  /// the reconciler hands freed heap pages back (``HeapTrim``).
  static let largeFileBytes = 64 << 10

  /// Whether the text is large (see ``largeFileBytes``).
  var isLarge: Bool { (text?.utf8.count ?? 0) >= Self.largeFileBytes }
}
