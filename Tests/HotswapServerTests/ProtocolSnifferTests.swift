import Testing

@testable import HotswapServer

@Suite struct ProtocolSnifferTests {
  @Test(arguments: [
    ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ProtocolSniffer.Decision?.some(.http2)),
    ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\u{12}\u{04}", .some(.http2)),
    ("PRI * HTTP/2", nil),
    ("P", nil),
    ("", nil),
    ("POST /predict HTTP/1.1\r\n", .some(.http1)),
    ("GET / HTTP/1.1\r\n", .some(.http1)),
    ("PRI * HTTP/1.1", .some(.http1)),
    ("\u{16}\u{03}\u{01}", .some(.http1)),
  ])
  func decidesFromTheFirstBytes(_ bytes: String, _ expected: ProtocolSniffer.Decision?) {
    #expect(ProtocolSniffer.decide(Array(bytes.utf8)) == expected)
  }
}
