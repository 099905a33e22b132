extension PlanReader {
  /// Reads `[prediction_log]`: the defaults when absent, `nil` after a reported problem.
  mutating func readPredictionLog() -> PredictionLogSettings? {
    guard root["prediction_log"] != nil else { return .defaults }
    guard let table = table(["prediction_log"], in: root) else { return nil }
    let before = errors.count
    checkKeys(table, path: ["prediction_log"], allowed: ["sample", "inputs", "max_bytes"])
    let sample = number(["prediction_log", "sample"], in: table)
    if let sample, !(0...1).contains(sample) {
      fail(
        ["prediction_log", "sample"],
        "'sample' in [prediction_log] must be between 0 and 1 (0.01 = one prediction in a hundred, 0 = off), got \(NumberText.format(sample))"
      )
    }
    var inputs = false
    if let value = table["inputs"] {
      if let flag = value.bool {
        inputs = flag
      } else {
        fail(
          ["prediction_log", "inputs"],
          "'inputs' in [prediction_log] must be true or false, got \(Self.describe(value))"
        )
      }
    }
    let maxBytes = integer(["prediction_log", "max_bytes"], in: table, minimum: 1)
    if let maxBytes,
      !(PredictionLogSettings.minimumMaxBytes...PredictionLogSettings.maximumMaxBytes).contains(maxBytes)
    {
      fail(
        ["prediction_log", "max_bytes"],
        "'max_bytes' in [prediction_log] must be between 65536 (64 KiB) and 1073741824 (1 GiB), got \(maxBytes)"
      )
    }
    guard errors.count == before else { return nil }
    return PredictionLogSettings(
      sample: sample ?? PredictionLogSettings.defaultSample,
      inputs: inputs,
      maxBytes: maxBytes ?? PredictionLogSettings.defaultMaxBytes
    )
  }
}
