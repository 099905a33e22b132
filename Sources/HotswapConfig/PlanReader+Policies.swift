extension PlanReader {
  /// Reads `[guard]`: `.some(nil)` when absent, `nil` after a reported problem.
  mutating func readGuard() -> GuardSettings?? {
    guard root["guard"] != nil else { return .some(nil) }
    guard let table = table(["guard"], in: root) else { return nil }
    let before = errors.count
    checkKeys(
      table,
      path: ["guard"],
      allowed: [
        "max_error_rate", "max_p99_ms", "min_requests", "window", "min_agreement", "max_p99_difference",
      ]
    )
    let errorRate = number(["guard", "max_error_rate"], in: table)
    if let errorRate, !(0...1).contains(errorRate) {
      fail(
        ["guard", "max_error_rate"],
        "'max_error_rate' in [guard] must be between 0 and 1 (0.05 = 5 %), got \(NumberText.format(errorRate))"
      )
    }
    let p99 = number(["guard", "max_p99_ms"], in: table)
    if let p99, p99 <= 0 {
      fail(["guard", "max_p99_ms"], "'max_p99_ms' in [guard] must be > 0, got \(NumberText.format(p99))")
    }
    let minRequests = integer(["guard", "min_requests"], in: table, minimum: 1)
    let window = duration(["guard", "window"], in: table)
    let (minAgreement, maxDifference) = readShadowThresholds(table)
    let thresholds = ["max_error_rate", "max_p99_ms", "min_agreement", "max_p99_difference"]
    if thresholds.allSatisfy({ table[$0] == nil }) {
      fail(
        ["guard"],
        "[guard] sets no threshold: add max_error_rate (such as 0.05), max_p99_ms (such as 50) or min_agreement (such as 0.98)"
      )
    }
    guard errors.count == before else { return nil }
    return GuardSettings(
      maxErrorRate: errorRate,
      maxP99Milliseconds: p99,
      minRequests: minRequests ?? 100,
      window: window ?? .seconds(60),
      minAgreement: minAgreement,
      maxP99Difference: maxDifference
    )
  }

  /// Reads `[rollout]`: `.some(nil)` when absent, `nil` after a reported problem.
  mutating func readRollout(slots: SlotsRead?) -> RolloutSettings?? {
    guard root["rollout"] != nil else { return .some(nil) }
    guard let table = table(["rollout"], in: root) else { return nil }
    let before = errors.count
    checkKeys(table, path: ["rollout"], allowed: ["slot", "steps", "every"])
    let slot = nonEmptyString(["rollout", "slot"], in: table)
    if let slot, let declared = slots?.declared, !declared.contains(slot) {
      fail(
        ["rollout", "slot"],
        "'slot' in [rollout] names unknown slot '\(slot)'\(Self.slotHint(slot, declared))"
      )
    }
    let steps = readSteps(table)
    let every = duration(["rollout", "every"], in: table)
    for (key, example) in [("slot", "\"green\""), ("steps", "[5, 25, 50, 100]"), ("every", "\"2m\"")]
    where table[key] == nil {
      fail(["rollout"], "[rollout] needs '\(key)', such as \(key) = \(example)")
    }
    guard errors.count == before, let slot, let steps, let every else { return nil }
    return RolloutSettings(slot: slot, steps: steps, every: every)
  }

  private mutating func readSteps(_ table: TOMLTable) -> [Double]? {
    let path = ["rollout", "steps"]
    guard let value = table["steps"] else { return nil }
    guard let array = value.array else {
      fail(
        path,
        "'steps' in [rollout] must be an array of percentages such as [5, 25, 50, 100], got \(Self.describe(value))"
      )
      return nil
    }
    guard !array.isEmpty else {
      fail(path, "'steps' in [rollout] must hold at least one percentage, such as [5, 25, 50, 100]")
      return nil
    }
    var steps: [Double] = []
    for element in array {
      let step: Double
      if let integer = element.int {
        step = Double(integer)
      } else if let double = element.double {
        step = double
      } else {
        fail(path, "'steps' in [rollout] must hold numbers, got \(Self.describe(element))")
        return nil
      }
      guard step > 0, step <= 100 else {
        fail(path, "each of 'steps' in [rollout] must be in (0, 100], got \(NumberText.format(step))")
        return nil
      }
      if let previous = steps.last, step <= previous {
        fail(
          path,
          "'steps' in [rollout] must increase, got \(NumberText.format(step)) after \(NumberText.format(previous))"
        )
        return nil
      }
      steps.append(step)
    }
    return steps
  }
}
