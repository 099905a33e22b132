/// Rewrites the traffic part of a config file for the CLI (`hotswap switch`, `canary`,
/// `rollback`), leaving every other line exactly as written.
public struct ConfigEditor: Sendable {
  /// The current text of the file.
  public let text: String
  /// The file's path, for messages and for resolving model paths while checking.
  public let file: String

  /// Creates an editor over the current `text` of `file`.
  public init(text: String, file: String) {
    self.text = text
    self.file = file
  }

  /// The text with `[traffic]` set to exactly `weights` (slots left out get weight 0).
  ///
  /// Existing weight lines keep their spacing and comments; missing ones are added to `[traffic]`;
  /// an `active = …` shorthand is removed and a `[traffic]` table is added after the slots. The
  /// result is parsed again and checked before it is returned.
  public func settingWeights(_ weights: [String: Double]) throws(ConfigErrors) -> String {
    let plan = try currentPlan()
    try check(weights, against: plan)
    var document = EditableDocument(text)
    try document.requireTrafficAsTable(file: file)
    if let active = document.rootEntry("active") {
      document.remove(lines: active.line...active.lastLine)
    }
    let ordered = plan.slotNames.filter { weights[$0] != nil }
    if document.source.header(["traffic"]) != nil {
      var written: Set<String> = []
      for entry in document.trafficWeightEntries() {
        let name = entry.key[0]
        document.replaceValue(of: entry, with: NumberText.format(weights[name] ?? 0))
        written.insert(name)
      }
      let missing = ordered.filter { !written.contains($0) }
      document.insert(
        missing.map { "\($0) = \(NumberText.format(weights[$0]!))" },
        after: document.trafficEnd()
      )
    } else {
      let lines = ["", "[traffic]"] + ordered.map { "\($0) = \(NumberText.format(weights[$0]!))" }
      document.insert(lines, after: document.slotsEnd())
    }
    let result = document.text
    try verify(result) { plan in
      plan.slotNames.allSatisfy { plan.weights[$0] == (weights[$0] ?? 0) }
    }
    return result
  }

  /// The text with all traffic sent to `slot` through the `active = "slot"` shorthand.
  ///
  /// Weight lines in `[traffic]` are removed (its header, `sticky_header` and comments stay); an
  /// existing `active` line gets the new value, otherwise one is added before the first table.
  public func settingActive(_ slot: String) throws(ConfigErrors) -> String {
    let plan = try currentPlan()
    guard plan.slot(named: slot) != nil else {
      throw errors(
        "cannot send all traffic to '\(slot)': unknown slot\(PlanReader.slotHint(slot, plan.slotNames))"
      )
    }
    var document = EditableDocument(text)
    try document.requireTrafficAsTable(file: file)
    for entry in document.trafficWeightEntries().reversed() {
      document.remove(lines: entry.line...entry.lastLine)
    }
    if let active = document.rootEntry("active") {
      document.replaceValue(of: active, with: "\"\(slot)\"")
    } else {
      document.insertBeforeFirstTable(["active = \"\(slot)\""])
    }
    let result = document.text
    try verify(result) { plan in
      plan.slotNames.allSatisfy { (plan.weights[$0] ?? 0 > 0) == ($0 == slot) }
    }
    return result
  }

  private func currentPlan() throws(ConfigErrors) -> Plan {
    switch PlanParser.parse(text, file: file) {
    case .success(let plan): return plan
    case .failure(let errors): throw errors
    }
  }

  private func check(_ weights: [String: Double], against plan: Plan) throws(ConfigErrors) {
    var problems: [ConfigError] = []
    for (name, weight) in weights.sorted(by: { $0.key < $1.key }) {
      if plan.slot(named: name) == nil {
        problems.append(
          error("cannot set weight for '\(name)': unknown slot\(PlanReader.slotHint(name, plan.slotNames))")
        )
      } else if !weight.isFinite || weight < 0 {
        problems.append(error("weight for '\(name)' must be a finite number ≥ 0, got \(weight)"))
      }
    }
    if problems.isEmpty, !weights.values.contains(where: { $0 > 0 }) {
      problems.append(error("at least one slot needs a weight > 0"))
    }
    if !problems.isEmpty { throw ConfigErrors(problems) }
  }

  private func verify(_ result: String, _ isExpected: (Plan) -> Bool) throws(ConfigErrors) {
    switch PlanParser.parse(result, file: file) {
    case .success(let plan) where isExpected(plan):
      return
    case .success:
      throw errors("the edited file does not give the requested weights; it was not written")
    case .failure(let problems):
      throw ConfigErrors(
        problems.errors.map {
          error("the edited file would be invalid, so it was not written: \($0.message)")
        }
      )
    }
  }

  private func error(_ message: String) -> ConfigError {
    ConfigError(file: file, line: nil, message: message)
  }

  private func errors(_ message: String) -> ConfigErrors {
    ConfigErrors([error(message)])
  }
}
