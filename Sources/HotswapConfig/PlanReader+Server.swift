import SystemPackage

extension PlanReader {
  static let serverKeys = [
    "listen", "model_name", "max_body_bytes", "max_header_bytes", "max_message_bytes",
    "max_connections", "max_concurrent_streams", "idle_timeout", "request_timeout", "drain_timeout",
    "state_directory",
  ]

  /// Reads `[server]`; absent keys keep ``ServerSettings/defaults``. `nil` only after a reported
  /// problem.
  mutating func readServer() -> ServerSettings? {
    var settings = ServerSettings.defaults
    guard root["server"] != nil else { return settings }
    guard let table = table(["server"], in: root) else { return nil }
    let before = errors.count
    checkKeys(table, path: ["server"], allowed: Self.serverKeys)
    if let text = string(["server", "listen"], in: table) {
      if let address = ListenAddress(parsing: text) {
        settings.listen = address
      } else {
        fail(
          ["server", "listen"],
          "'listen' in [server] must be host:port, such as \"127.0.0.1:8080\", \"0.0.0.0:8080\" or \"[::1]:8080\" (port 0…65535), got \"\(text)\""
        )
      }
    }
    if let name = nonEmptyString(["server", "model_name"], in: table) {
      if name.allSatisfy(Self.isModelNameCharacter) {
        settings.modelName = name
      } else {
        fail(
          ["server", "model_name"],
          "'model_name' in [server] may hold only letters, digits, '.', '_' and '-' (it is part of the URL /v2/models/{name}), got \"\(name)\""
        )
      }
    }
    readLimits(table, into: &settings)
    if let directory = nonEmptyString(["server", "state_directory"], in: table) {
      settings.stateDirectory = FilePath.resolving(directory, against: self.directory)
    }
    return errors.count == before ? settings : nil
  }

  private mutating func readLimits(_ table: TOMLTable, into settings: inout ServerSettings) {
    let integers: [(String, WritableKeyPath<ServerSettings, Int>)] = [
      ("max_body_bytes", \.maxBodyBytes), ("max_header_bytes", \.maxHeaderBytes),
      ("max_message_bytes", \.maxMessageBytes), ("max_connections", \.maxConnections),
      ("max_concurrent_streams", \.maxConcurrentStreams),
    ]
    for (key, keyPath) in integers {
      if let value = integer(["server", key], in: table, minimum: 1) {
        settings[keyPath: keyPath] = value
      }
    }
    let durations: [(String, WritableKeyPath<ServerSettings, Duration>)] = [
      ("idle_timeout", \.idleTimeout), ("request_timeout", \.requestTimeout),
      ("drain_timeout", \.drainTimeout),
    ]
    for (key, keyPath) in durations {
      if let value = duration(["server", key], in: table) {
        settings[keyPath: keyPath] = value
      }
    }
  }

  private static func isModelNameCharacter(_ character: Character) -> Bool {
    character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
  }
}
