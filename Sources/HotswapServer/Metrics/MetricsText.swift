/// Puts Prometheus exposition text in a fixed order: families by name, series by their first
/// line, histogram series kept whole. The registry emits families in hash order, which changes
/// from run to run; scrapers do not care, people and exact-text tests do.
enum MetricsText {
  /// The same text, canonically ordered.
  static func canonical(_ text: String) -> String {
    var families: [(name: String, header: [Substring], series: [[Substring]])] = []
    var histogram = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      if line.hasPrefix("#") {
        let parts = line.split(separator: " ", maxSplits: 3)
        guard parts.count >= 3 else { continue }
        let name = String(parts[2])
        if families.last?.name != name { families.append((name, [], [])) }
        families[families.count - 1].header.append(line)
        if parts[1] == "TYPE" { histogram = parts.count > 3 && parts[3] == "histogram" }
        continue
      }
      guard !families.isEmpty else { continue }
      let index = families.count - 1
      let continuing = histogram && !(families[index].series.last?.last.map(isSeriesEnd) ?? true)
      if continuing {
        families[index].series[families[index].series.count - 1].append(line)
      } else {
        families[index].series.append([line])
      }
    }
    var output = ""
    for family in families.sorted(by: { $0.name < $1.name }) {
      for line in family.header { output += line + "\n" }
      for series in family.series.sorted(by: { $0[0] < $1[0] }) {
        for line in series { output += line + "\n" }
      }
    }
    return output
  }

  private static func isSeriesEnd(_ line: Substring) -> Bool {
    let name = line.prefix { $0 != "{" && $0 != " " }
    return name.hasSuffix("_count")
  }
}
