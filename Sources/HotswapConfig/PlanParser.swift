import SystemPackage

/// Turns the text of `conf/active.toml` into a validated ``Plan``, or every problem in it.
public enum PlanParser {
  /// Parses and validates `text`; `file` names it in messages and anchors relative model paths
  /// (made absolute with the working directory if it is relative).
  public static func parse(_ text: String, file: String) -> Result<Plan, ConfigErrors> {
    parse(text, file: file, directory: FilePath.directory(of: file))
  }

  /// Parses and validates `text`, resolving relative paths against `directory`.
  public static func parse(_ text: String, file: String, directory: String) -> Result<Plan, ConfigErrors> {
    read(text, file: file, directory: directory) { $0.read() }
  }

  /// Parses and validates only `[server]`: for the commands that must find the running server (or
  /// its state directory) while the rest of the file is broken — which is when they are needed.
  public static func serverSettings(_ text: String, file: String) -> Result<ServerSettings, ConfigErrors> {
    read(text, file: file, directory: FilePath.directory(of: file)) { $0.readServer() }
  }

  /// Checks the text, parses the TOML and runs `body` over it; the value if `body` reported no
  /// problem, else every problem in line order.
  private static func read<Value>(
    _ text: String,
    file: String,
    directory: String,
    _ body: (inout PlanReader) -> Value?
  ) -> Result<Value, ConfigErrors> {
    guard text.utf8.count <= ConfigLimits.maxFileBytes else {
      let error = ConfigError(
        file: file,
        line: nil,
        message:
          "the file is \(text.utf8.count) bytes; the limit for a config file is \(ConfigLimits.maxFileBytes) (1 MiB)"
      )
      return .failure(ConfigErrors([error]))
    }
    if let nul = text.utf8.firstIndex(of: 0) {
      let line = text.utf8[..<nul].filter { $0 == UInt8(ascii: "\n") }.count + 1
      let error = ConfigError(
        file: file,
        line: line,
        message: "the file contains a NUL byte; it is not TOML text"
      )
      return .failure(ConfigErrors([error]))
    }
    if let failure = TOMLSyntaxChecker.firstError(in: text) {
      let error = ConfigError(
        file: file,
        line: failure.line,
        message: "TOML syntax error: \(failure.message)"
      )
      return .failure(ConfigErrors([error]))
    }
    let root: TOMLTable
    switch TOMLDocument.parse(text) {
    case .success(let table): root = table
    case .failure(let failure):
      let error = ConfigError(
        file: file,
        line: failure.line,
        message: "TOML syntax error: \(failure.message)"
      )
      return .failure(ConfigErrors([error]))
    }
    let source = SourceMap(text)
    var reader = PlanReader(root: root, source: source, file: file, directory: directory)
    let value = body(&reader)
    if let value, reader.errors.isEmpty {
      return .success(value)
    }
    let sorted = reader.errors.enumerated().sorted { lhs, rhs in
      let (left, right) = (lhs.element.line ?? Int.max, rhs.element.line ?? Int.max)
      return left != right ? left < right : lhs.offset < rhs.offset
    }
    return .failure(ConfigErrors(reporting: sorted.map(\.element), file: file))
  }
}

/// Walks the parsed TOML tree, checking every key and value and collecting every problem.
struct PlanReader {
  static let topLevelKeys = [
    "server", "slots", "traffic", "active", "guard", "rollout", "shadow", "prediction_log",
  ]

  let root: TOMLTable
  let source: SourceMap
  let file: String
  let directory: String
  private(set) var errors: [ConfigError] = []

  init(root: TOMLTable, source: SourceMap, file: String, directory: String) {
    self.root = root
    self.source = source
    self.file = file
    self.directory = directory
  }

  mutating func read() -> Plan? {
    checkKeys(root, path: [], allowed: Self.topLevelKeys)
    let server = readServer()
    let slots = readSlots()
    let traffic = readTraffic(slots: slots)
    let guardSettings = readGuard()
    let rollout = readRollout(slots: slots)
    let shadow = readShadow(slots: slots, weights: traffic?.weights)
    let predictionLog = readPredictionLog()
    guard errors.isEmpty, let server, let slots = slots?.valid, let traffic, let predictionLog else {
      return nil
    }
    return Plan(
      server: server,
      slots: slots,
      weights: traffic.weights,
      stickyHeader: traffic.stickyHeader,
      guardSettings: guardSettings ?? nil,
      rollout: rollout ?? nil,
      shadow: shadow ?? nil,
      predictionLog: predictionLog
    )
  }

  // MARK: Reporting

  mutating func fail(_ path: [String], _ message: String) {
    errors.append(ConfigError(file: file, line: source.line(of: path), message: message))
  }

  mutating func fail(line: Int?, _ message: String) {
    errors.append(ConfigError(file: file, line: line, message: message))
  }

  /// `'key' in [table]`, or `'key'` at the top level.
  static func name(_ path: [String]) -> String {
    guard let key = path.last else { return "the file" }
    let table = path.dropLast()
    return table.isEmpty ? "'\(key)'" : "'\(key)' in [\(table.joined(separator: "."))]"
  }

  /// The table at `path` (relative to root); `nil` when absent or not a table (then reported).
  mutating func table(_ path: [String], in parent: TOMLTable) -> TOMLTable? {
    guard let value = parent[path[path.count - 1]] else { return nil }
    guard let table = value.table else {
      fail(
        path,
        "'\(path.joined(separator: "."))' must be a table like [\(path.joined(separator: "."))], got \(Self.describe(value))"
      )
      return nil
    }
    return table
  }

  mutating func checkKeys(_ table: TOMLTable, path: [String], allowed: [String]) {
    for key in table.keys where !allowed.contains(key) {
      let keyPath = path + [key]
      let suggestion = Spelling.suggestion(for: key, among: allowed)
      let isTable = table[key]?.type == .table
      if path.isEmpty, isTable {
        let hint =
          suggestion.map { " (did you mean [\($0)]?)" }
          ?? "; known tables: [server], [slots.<name>], [traffic], [guard], [rollout], [shadow], [prediction_log]"
        fail(keyPath, "unknown table [\(key)]\(hint)")
      } else if key == "active", !path.isEmpty {
        fail(
          keyPath,
          "'active' must be at the top level, before the first [table]; here it is read as part of [\(path.joined(separator: "."))]"
        )
      } else {
        let hint =
          suggestion.map { " (did you mean '\($0)'?)" } ?? "; known keys: \(allowed.joined(separator: ", "))"
        let place = path.isEmpty ? "at the top level" : "in [\(path.joined(separator: "."))]"
        fail(keyPath, "unknown key '\(key)' \(place)\(hint)")
      }
    }
  }

  // MARK: Typed values

  mutating func string(_ path: [String], in table: TOMLTable) -> String? {
    guard let value = table[path[path.count - 1]] else { return nil }
    guard let text = value.string else {
      fail(path, "\(Self.name(path)) must be a string, got \(Self.describe(value))")
      return nil
    }
    return text
  }

  mutating func nonEmptyString(_ path: [String], in table: TOMLTable) -> String? {
    guard let text = string(path, in: table) else { return nil }
    guard !text.trimmingSpaces.isEmpty else {
      fail(path, "\(Self.name(path)) must not be empty")
      return nil
    }
    return text
  }

  /// An integer or a float, as a finite `Double`.
  mutating func number(_ path: [String], in table: TOMLTable, label: String? = nil) -> Double? {
    guard let value = table[path[path.count - 1]] else { return nil }
    let label = label ?? Self.name(path)
    let number: Double
    if let integer = value.int {
      number = Double(integer)
    } else if let double = value.double {
      number = double
    } else {
      fail(path, "\(label) must be a number, got \(Self.describe(value))")
      return nil
    }
    guard number.isFinite else {
      fail(path, "\(label) must be a finite number, got \(number)")
      return nil
    }
    return number
  }

  mutating func integer(_ path: [String], in table: TOMLTable, minimum: Int) -> Int? {
    guard let value = table[path[path.count - 1]] else { return nil }
    guard let integer = value.int else {
      fail(path, "\(Self.name(path)) must be an integer, got \(Self.describe(value))")
      return nil
    }
    guard integer >= minimum else {
      let bound = minimum == 1 ? "> 0" : "≥ \(minimum)"
      fail(path, "\(Self.name(path)) must be \(bound), got \(integer)")
      return nil
    }
    return integer
  }

  mutating func duration(_ path: [String], in table: TOMLTable) -> Duration? {
    guard let value = table[path[path.count - 1]] else { return nil }
    guard let text = value.string, let duration = ConfigDuration.parse(text) else {
      fail(
        path,
        "\(Self.name(path)) must be a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\", got \(Self.describe(value))"
      )
      return nil
    }
    guard duration > .zero else {
      fail(path, "\(Self.name(path)) must be longer than 0, got \"\(text)\"")
      return nil
    }
    return duration
  }

  /// A value as messages show it: `string "90"`, `integer 8080`, `a table`.
  static func describe(_ value: TOMLValue) -> String {
    switch value.type {
    case .string:
      let text = value.string ?? ""
      return "string \"\(text.count > 60 ? text.prefix(57) + "..." : Substring(text))\""
    case .int: return "integer \(value.int ?? 0)"
    case .double: return "float \(value.double.map { "\($0)" } ?? "")"
    case .bool: return "boolean \(value.bool ?? false)"
    case .array: return "an array"
    case .table: return "a table"
    case .date: return "a date"
    case .time: return "a time"
    case .dateTime: return "a date-time"
    }
  }
}

extension String {
  var trimmingSpaces: Substring {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return self[first...last]
  }
}
