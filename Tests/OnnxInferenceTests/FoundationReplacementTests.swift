import Foundation
import Testing

@testable import OnnxInference

/// The helpers that replaced Foundation-only calls in the ONNX runtime give what those calls gave.
@Suite("ONNX runtime: same results as the Foundation calls replaced")
struct FoundationReplacementTests {
  @Test(
    "Cast trims what CharacterSet.whitespaces trimmed",
    arguments: [
      " 1.5 ", "\t-2\t", "\u{A0}3\u{3000}", "\u{2009}4e3\u{202F}", "\n5\n", "\r\n6", "7\u{85}", "", "   ",
      "a b",
      "\u{200B}8", "\u{1680}9\u{205F}",
    ]
  )
  func castTrimming(text: String) {
    #expect(CastKernel.trimmingWhitespace(text) == text.trimmingCharacters(in: .whitespaces))
  }

  @Test("Cast trims exactly the scalars CharacterSet.whitespaces holds")
  func castTrimmingEveryScalar() {
    for value in UInt32(0)...0x3_0000 {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let text = String(scalar) + "1" + String(scalar)
      #expect(CastKernel.trimmingWhitespace(text) == text.trimmingCharacters(in: .whitespaces), "U+\(value)")
    }
  }
}
