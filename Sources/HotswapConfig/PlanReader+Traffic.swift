import SystemPackage

extension PlanReader {
  /// The slots as read: the valid ones and every name the file declares (valid or not), so that
  /// `[traffic]` does not call a declared but malformed slot unknown.
  struct SlotsRead {
    var valid: [SlotSpec] = []
    var declared: [String] = []
  }

  /// The traffic part of a plan.
  struct TrafficRead {
    var weights: [String: Double]
    var stickyHeader: String?
  }

  /// Reads `[slots.<name>]` tables; `nil` when `slots` is absent or not a table (reported).
  mutating func readSlots() -> SlotsRead? {
    guard root["slots"] != nil else {
      fail(
        line: nil,
        "no slots: add at least one slot, such as [slots.blue] with model = \"path/to/model.onnx\""
      )
      return nil
    }
    guard let slotsTable = table(["slots"], in: root) else { return nil }
    var read = SlotsRead(declared: slotsTable.keys)
    if read.declared.isEmpty {
      fail(
        ["slots"],
        "[slots] declares no slot: add one, such as [slots.blue] with model = \"path/to/model.onnx\""
      )
    }
    if read.declared.count > 256 {
      fail(["slots"], "at most 256 slots are supported, got \(read.declared.count)")
    }
    for name in read.declared {
      if let slot = readSlot(name, in: slotsTable) { read.valid.append(slot) }
    }
    return read
  }

  private mutating func readSlot(_ name: String, in slotsTable: TOMLTable) -> SlotSpec? {
    let path = ["slots", name]
    guard let value = slotsTable[name] else { return nil }
    guard let table = value.table else {
      fail(
        path,
        "slot '\(name)' must be a table like [slots.\(name)] with a model, got \(Self.describe(value))"
      )
      return nil
    }
    let before = errors.count
    if !Self.isValidSlotName(name) {
      fail(path, "slot name '\(name)' must match [a-z0-9_-]+ (lowercase letters, digits, '_' and '-')")
    }
    checkKeys(table, path: path, allowed: ["model", "version"])
    let model = nonEmptyString(path + ["model"], in: table)
    let version = nonEmptyString(path + ["version"], in: table)
    if table["model"] == nil {
      fail(path, "slot '\(name)' has no model: add model = \"path/to/model.onnx\" to [slots.\(name)]")
    }
    guard errors.count == before, let model else { return nil }
    return SlotSpec(
      name: name,
      modelPath: FilePath.resolving(model, against: directory),
      configuredModel: model,
      version: version,
      line: source.line(of: path) ?? 1,
      modelLine: source.line(of: path + ["model"])
    )
  }

  static func isValidSlotName(_ name: String) -> Bool {
    !name.isEmpty
      && name.utf8.allSatisfy { byte in
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
          || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
          || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
      }
  }

  /// Reads `[traffic]` and the `active` shorthand; `nil` after a reported problem.
  mutating func readTraffic(slots: SlotsRead?) -> TrafficRead? {
    let before = errors.count
    let declared = slots?.declared ?? []
    let trafficTable = root["traffic"] == nil ? nil : table(["traffic"], in: root)
    if root["traffic"] != nil, trafficTable == nil { return nil }
    var weights: [String: Double] = [:]
    var stickyHeader: String?
    if let trafficTable {
      for key in trafficTable.keys {
        if key == "sticky_header" {
          stickyHeader = readStickyHeader(trafficTable)
        } else if let weight = readWeight(key, in: trafficTable, declared: declared) {
          weights[key] = weight
        }
      }
    }
    let active = string(["active"], in: root)
    let hasWeights = trafficTable.map { $0.keys.contains { $0 != "sticky_header" } } ?? false
    if let active {
      if hasWeights {
        fail(
          ["active"],
          "both 'active' and weights in [traffic] are set; keep one: active = \"\(active)\" sends all traffic to one slot, [traffic] splits it"
        )
      } else if declared.contains(active) {
        weights = [active: 100]
      } else {
        fail(["active"], "'active' names unknown slot '\(active)'\(Self.slotHint(active, declared))")
      }
    } else if root["active"] == nil, !hasWeights {
      let message =
        "no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file"
      if trafficTable != nil { fail(["traffic"], message) } else { fail(line: nil, message) }
    } else if hasWeights, errors.count == before, !weights.values.contains(where: { $0 > 0 }) {
      fail(["traffic"], "every weight in [traffic] is 0; give at least one slot a weight > 0")
    }
    guard errors.count == before else { return nil }
    return TrafficRead(weights: weights, stickyHeader: stickyHeader)
  }

  private mutating func readWeight(_ key: String, in table: TOMLTable, declared: [String]) -> Double? {
    let path = ["traffic", key]
    guard declared.contains(key) else {
      if key == "active" {
        fail(
          path,
          "'active' must be at the top level, before the first [table]; inside [traffic] give weights instead, such as \(declared.first ?? "blue") = 100"
        )
      } else {
        fail(path, "unknown slot '\(key)' in [traffic]\(Self.slotHint(key, declared + ["sticky_header"]))")
      }
      return nil
    }
    guard let weight = number(path, in: table, label: "weight for '\(key)'") else { return nil }
    guard weight >= 0 else {
      fail(path, "weight for '\(key)' must be ≥ 0, got \(NumberText.format(weight))")
      return nil
    }
    return weight
  }

  private mutating func readStickyHeader(_ table: TOMLTable) -> String? {
    let path = ["traffic", "sticky_header"]
    guard let header = nonEmptyString(path, in: table) else { return nil }
    guard header.utf8.allSatisfy(Self.isTokenByte) else {
      fail(
        path,
        "'sticky_header' in [traffic] must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), got \"\(header)\""
      )
      return nil
    }
    return header.lowercased()
  }

  private static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      true
    default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
  }

  /// ` (did you mean 'green'?); slots: blue, green` — whichever parts apply.
  static func slotHint(_ name: String, _ candidates: [String]) -> String {
    let slots = candidates.filter { $0 != "sticky_header" }
    let list = slots.isEmpty ? "; no slots are defined" : "; defined slots: \(slots.joined(separator: ", "))"
    guard let suggestion = Spelling.suggestion(for: name, among: candidates) else { return list }
    return " (did you mean '\(suggestion)'?)\(list)"
  }
}
