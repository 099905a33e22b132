import Testing

@testable import HotswapConfig

@Suite("Robustness: mangled files never crash the parser or the editor")
struct RobustnessTests {
  /// A fixed-seed generator, so a failure reproduces.
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  private static let alphabet = Array("[]{}=\"'#.,\n -_0123456789abcgnrtuvxyz\\\r\t") + ["é", "\u{FEFF}"]

  private static func mangle(_ text: String, using random: inout SplitMix) -> String {
    var characters = Array(text)
    for _ in 0..<Int.random(in: 1...4, using: &random) {
      guard !characters.isEmpty else { break }
      let index = Int.random(in: 0..<characters.count, using: &random)
      switch Int.random(in: 0..<3, using: &random) {
      case 0: characters.remove(at: index)
      case 1: characters.insert(alphabet.randomElement(using: &random)!, at: index)
      default: characters[index] = alphabet.randomElement(using: &random)!
      }
    }
    return String(characters)
  }

  @Test(arguments: [Fixtures.design, Fixtures.active])
  func mangledFilesGiveAPlanOrLocatedErrors(_ original: String) {
    var random = SplitMix(state: 42)
    var valid = 0
    for _ in 0..<500 {
      let text = Self.mangle(original, using: &random)
      switch PlanParser.parse(text, file: "f.toml", directory: "/d") {
      case .success(let plan):
        valid += 1
        #expect(!plan.slots.isEmpty)
        #expect(plan.weights.values.contains { $0 > 0 })
        let editor = ConfigEditor(text: text, file: "f.toml")
        let names = plan.slotNames
        if let edited = try? editor.settingWeights([names[0]: 1]) {
          #expect(
            (try? PlanParser.parse(edited, file: "f.toml", directory: "/d").get())?.activeSlot == names[0]
          )
        }
        if let edited = try? editor.settingActive(names[names.count - 1]) {
          #expect((try? PlanParser.parse(edited, file: "f.toml", directory: "/d").get()) != nil)
        }
      case .failure(let errors):
        #expect(!errors.errors.isEmpty)
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
        for error in errors.errors {
          #expect(error.line.map { (1...max(lineCount, 1)).contains($0) } ?? true, "\(error)")
        }
      }
    }
    // Most single-character edits land in comments or values and keep the file valid.
    #expect(valid > 30)
  }

  @Test(arguments: [
    "a = 2024-13-45",
    "a = 25:61:61",
    "a = 99999999999999999999",
    "a = -9223372036854775809",
    "a = 1e999",
    "a = 0x_1",
    "a = 1979-05-27T07:32:00+25:00",
    "[a]\n[a]",
    "a = 1\na.b = 2",
    "[[a]]\n[a]",
    "a = [1, \"x\"]",
    "a = { b = 1 }\n[a]\nc = 2",
    "\"\\u0000\" = 1",
  ])
  func edgeValuesFailCleanly(_ text: String) {
    let result = PlanParser.parse(text, file: "f.toml", directory: "/d")
    let errors = result.failure?.errors ?? []
    #expect(!errors.isEmpty)
    #expect(errors.allSatisfy { $0.line == nil || $0.line! >= 1 })
  }
}
