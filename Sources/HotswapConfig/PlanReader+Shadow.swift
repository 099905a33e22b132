extension PlanReader {
  /// Reads `[shadow]`: `.some(nil)` when absent, `nil` after a reported problem. `weights` are
  /// the plan's traffic weights, when they read (a shadow that takes all traffic mirrors nothing).
  mutating func readShadow(slots: SlotsRead?, weights: [String: Double]?) -> ShadowSettings?? {
    guard root["shadow"] != nil else { return .some(nil) }
    guard let table = table(["shadow"], in: root) else { return nil }
    let before = errors.count
    checkKeys(
      table,
      path: ["shadow"],
      allowed: ["slot", "sample", "record", "tolerance", "queue", "max_queue_bytes"]
    )
    let slot = nonEmptyString(["shadow", "slot"], in: table)
    if table["slot"] == nil {
      fail(
        ["shadow"],
        "[shadow] needs 'slot', the loaded slot that gets the copies, such as slot = \"green\""
      )
    }
    if let slot, let declared = slots?.declared, !declared.contains(slot) {
      fail(
        ["shadow", "slot"],
        "'slot' in [shadow] names unknown slot '\(slot)'\(Self.slotHint(slot, declared))"
      )
    } else if let slot, let weights, (weights[slot] ?? 0) > 0,
      !weights.contains(where: { $0.key != slot && $0.value > 0 })
    {
      fail(
        ["shadow", "slot"],
        "[shadow] slot '\(slot)' takes all traffic itself, so no request is answered by another slot and nothing would be mirrored; shadow a standby slot (weight 0), or give another slot traffic"
      )
    }
    let sample = number(["shadow", "sample"], in: table)
    if let sample, !(sample > 0 && sample <= 100) {
      let hint = sample == 0 ? "; to stop shadowing, remove [shadow]" : ""
      fail(
        ["shadow", "sample"],
        "'sample' in [shadow] must be a percentage in (0, 100], got \(NumberText.format(sample))\(hint)"
      )
    }
    let record = integer(["shadow", "record"], in: table, minimum: 0)
    if let record, record > ShadowSettings.maxRecord {
      fail(
        ["shadow", "record"],
        "'record' in [shadow] keeps at most \(ShadowSettings.maxRecord) disagreements, got \(record)"
      )
    }
    let tolerance = number(["shadow", "tolerance"], in: table)
    if let tolerance, tolerance < 0 {
      fail(
        ["shadow", "tolerance"],
        "'tolerance' in [shadow] must be ≥ 0, got \(NumberText.format(tolerance))"
      )
    }
    let queue = integer(["shadow", "queue"], in: table, minimum: 1)
    if let queue, queue > ShadowSettings.maxQueue {
      fail(
        ["shadow", "queue"],
        "'queue' in [shadow] must be at most \(ShadowSettings.maxQueue), got \(queue)"
      )
    }
    let queueBytes = integer(["shadow", "max_queue_bytes"], in: table, minimum: 1)
    guard errors.count == before, let slot else { return nil }
    return ShadowSettings(
      slot: slot,
      samplePercent: sample ?? 100,
      record: record ?? 0,
      tolerance: tolerance ?? 0,
      queue: queue ?? 1024,
      maxQueueBytes: queueBytes ?? 16 << 20
    )
  }

  /// `min_agreement` and `max_p99_difference` in `[guard]`, range-checked.
  mutating func readShadowThresholds(_ table: TOMLTable) -> (Double?, Double?) {
    let agreement = number(["guard", "min_agreement"], in: table)
    if let agreement, !(0...1).contains(agreement) {
      fail(
        ["guard", "min_agreement"],
        "'min_agreement' in [guard] must be between 0 and 1 (0.98 = 98 %), got \(NumberText.format(agreement))"
      )
    }
    let difference = number(["guard", "max_p99_difference"], in: table)
    if let difference, difference < 0 {
      fail(
        ["guard", "max_p99_difference"],
        "'max_p99_difference' in [guard] must be ≥ 0, got \(NumberText.format(difference))"
      )
    }
    for key in ["min_agreement", "max_p99_difference"] where table[key] != nil && root["shadow"] == nil {
      fail(
        ["guard", key],
        "'\(key)' in [guard] needs a [shadow] table: the shadow's predictions are what it judges (add [shadow] with slot = \"green\")"
      )
    }
    return (agreement, difference)
  }
}
