import Foundation
import OnnxInference
import Testing

@testable import HotswapCore

/// Bounded reads: what is not a regular file is named and never opened (a FIFO would block), the
/// limit applies to what a symlink points at, checked on the opened file before reading.
@Suite("RegularFile")
struct RegularFileTests {
  let directory: String

  init() throws {
    directory = NSTemporaryDirectory() + "regular-file-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  private func reason(_ path: String, limit: Int = 1 << 20) -> String? {
    do {
      _ = try RegularFile.read(path, limit: limit)
      return nil
    } catch {
      return error.reason
    }
  }

  @Test func readsARegularFileAndItsTextThroughASymlink() throws {
    let path = directory + "/a.toml"
    try "x = 1\n".write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "a.toml")
    #expect(try RegularFile.readText(directory + "/link", limit: 6) == "x = 1\n")
    #expect(try RegularFile.read(path, limit: 6).count == 6)
  }

  @Test func aFIFOIsNamedWithoutBlocking() throws {
    let path = directory + "/fifo"
    #expect(mkfifo(path, 0o600) == 0)
    // Opening a FIFO for reading blocks until a writer appears: this would hang if it were opened.
    #expect(reason(path) == "is a FIFO (named pipe), not a regular file")
    try FileManager.default.createSymbolicLink(atPath: directory + "/to-fifo", withDestinationPath: "fifo")
    #expect(reason(directory + "/to-fifo") == "is a FIFO (named pipe), not a regular file")
  }

  @Test(arguments: ["/dev/zero", "/dev/null", "/dev/urandom"])
  func aDeviceIsNamed(path: String) {
    #expect(reason(path) == "is a character device, not a regular file")
  }

  @Test func aDirectoryAndAMissingFileAreNamed() {
    #expect(reason(directory) == "is a directory, not a regular file")
    #expect(reason(directory + "/missing") == "does not exist")
  }

  @Test func theLimitAppliesToTheSymlinksTargetBeforeReading() throws {
    // A sparse 3 GiB file: reading it would take 3 GiB; the check must come first.
    let big = directory + "/big.onnx"
    #expect(FileManager.default.createFile(atPath: big, contents: nil))
    #expect(truncate(big, 3 << 30) == 0)
    try FileManager.default.createSymbolicLink(atPath: directory + "/model.onnx", withDestinationPath: big)
    #expect(
      reason(directory + "/model.onnx", limit: 1 << 30)
        == "is 3221225472 bytes (3 GiB); the limit is 1073741824 bytes (1 GiB)"
    )
  }

  @Test func notUTF8TextIsNamed() throws {
    let path = directory + "/latin1.toml"
    #expect(FileManager.default.createFile(atPath: path, contents: Data([0x61, 0xE9, 0x0A])))
    #expect(throws: FileError(path: path, reason: "is not UTF-8 text")) {
      try RegularFile.readText(path, limit: 100)
    }
  }

  @Test func attributesNameTheOwnerAndMode() throws {
    let path = directory + "/owned"
    try "x".write(toFile: path, atomically: false, encoding: .utf8)
    #expect(chmod(path, 0o604) == 0)
    let attributes = try FileAttributes.of(path: path)
    #expect(attributes.kind == .regular)
    #expect(attributes.permissions == 0o604)
    #expect(attributes.size == 1)
    #expect(attributes.owner.contains(":"))
  }
}

@Suite("ModelLimits")
struct ModelLimitsTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let shape: [Int?]
    let dataType: TensorDataType
    let reason: String?
    var testDescription: String { "\(shape)" }
  }

  static let cases: [Case] = [
    Case(shape: [nil, 4], dataType: .float, reason: nil),
    Case(
      shape: [nil, 2_147_483_647],
      dataType: .float,
      reason:
        "input 'X' declares shape [N, 2147483647] (FP32): 2147483647 elements per row; the limit is 1048576"
    ),
    Case(
      shape: [2_147_483_647],
      dataType: .float,
      reason:
        "input 'X' declares shape [2147483647] (FP32): 2147483647 elements per row; the limit is 1048576"
    ),
    Case(
      shape: [2_147_483_647, 2_147_483_647, 2_147_483_647],
      dataType: .float,
      reason:
        "input 'X' declares shape [2147483647, 2147483647, 2147483647] (FP32), whose element count overflows"
    ),
    Case(
      shape: [nil, 1_000_000, 1000],
      dataType: .string,
      reason:
        "input 'X' declares shape [N, 1000000, 1000] (BYTES): 1000000000 elements per row; the limit is 1048576"
    ),
  ]

  @Test(arguments: cases)
  func declaredSizesAreBounded(_ testCase: Case) {
    let info = TensorInfo(name: "X", dataType: testCase.dataType, shape: testCase.shape)
    #expect(ModelLimits.defaults.check([info]) == testCase.reason)
  }

  @Test func theWarmUpBudgetCountsEveryInput() {
    let inputs = (0..<5).map { TensorInfo(name: "in\($0)", dataType: .double, shape: [nil, 1 << 20]) }
    #expect(
      ModelLimits.defaults.check(inputs)
        == "the inputs declare 5242880 elements for one row (through 'in4'); the warm-up budget is 4194304"
    )
  }
}
