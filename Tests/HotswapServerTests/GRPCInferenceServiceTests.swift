import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HotswapCore
import HotswapGRPCStubs
import HotswapProtos
import Testing

/// `inference.GRPCInferenceService` against the iris models: metadata, readiness, ModelInfer from
/// raw and typed contents, version pinning, and the errors a client can cause.
@Suite("gRPC Open Inference Protocol")
struct GRPCInferenceServiceTests {
  static func inferRequest(
    rows: [[Float]],
    version: String = "",
    raw: Bool = true
  ) -> Inference_ModelInferRequest {
    var request = Inference_ModelInferRequest()
    request.modelName = "iris"
    request.modelVersion = version
    var input = Inference_ModelInferRequest.InferInputTensor()
    input.name = "X"
    input.datatype = "FP32"
    input.shape = [Int64(rows.count), 4]
    let flat = rows.flatMap { $0 }
    if raw {
      var bytes = Data()
      for value in flat {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
      }
      request.rawInputContents = [bytes]
    } else {
      input.contents.fp32Contents = flat
    }
    request.inputs = [input]
    return request
  }

  static func int64s(_ data: Data) -> [Int64] {
    stride(from: 0, to: data.count, by: 8).map { offset in
      data[data.startIndex + offset..<data.startIndex + offset + 8].enumerated().reduce(Int64(0)) {
        $0 | Int64($1.element) << (8 * $1.offset)
      }
    }
  }

  @Test("server and model metadata, liveness and readiness")
  func metadata() async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let live = try await stub.serverLive(Inference_ServerLiveRequest())
        #expect(live.live)
        let serverReady = try await stub.serverReady(Inference_ServerReadyRequest())
        #expect(serverReady.ready)
        let serverMetadata = try await stub.serverMetadata(Inference_ServerMetadataRequest())
        #expect(serverMetadata.name == "hotswap")
        #expect(serverMetadata.extensions == ["binary_tensor_data"])
        var ready = Inference_ModelReadyRequest()
        ready.name = "iris"
        let modelReady = try await stub.modelReady(ready)
        #expect(modelReady.ready)
        ready.version = "v1.1.0"
        let versionReady = try await stub.modelReady(ready)
        #expect(versionReady.ready)
        var request = Inference_ModelMetadataRequest()
        request.name = "iris"
        request.version = "v1.1.0"
        let model = try await stub.modelMetadata(request)
        #expect(model.versions == ["v1.0.0", "v1.1.0"])
        #expect(model.platform == "onnx")
        #expect(model.inputs.map(\.name) == ["X"])
        #expect(model.inputs.first?.shape == [-1, 4])
        #expect(model.outputs.map(\.name) == ["label", "probabilities"])
        #expect(model.outputs.map(\.datatype) == ["INT64", "FP32"])
      }
    }
  }

  @Test(
    "ModelInfer from raw and from typed contents; outputs in raw_output_contents",
    arguments: [true, false]
  )
  func infer(raw: Bool) async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let rows: [[Float]] = [[5.1, 3.5, 1.4, 0.2], [6.3, 2.5, 4.9, 1.5], [6.5, 3.0, 5.8, 2.2]]
        let response = try await stub.modelInfer(Self.inferRequest(rows: rows, version: "v1.0.0", raw: raw))
        #expect(response.modelVersion == "v1.0.0")
        #expect(response.outputs.map(\.name) == ["output_label", "output_probability"])
        #expect(response.outputs.map(\.shape) == [[3], [3, 3]])
        #expect(response.outputs.allSatisfy { !$0.hasContents })
        #expect(response.rawOutputContents.count == 2)
        #expect(Self.int64s(response.rawOutputContents[0]) == [0, 1, 2])
        #expect(response.rawOutputContents[1].count == 9 * 4)
      }
    }
  }

  @Test("a version pins its slot; without one the x-hotswap-slot metadata pins")
  func pinning() async throws {
    try await GRPCTestServer.with(traffic: "blue = 100\ngreen = 0") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let row: [[Float]] = [[5.1, 3.5, 1.4, 0.2]]
        let unpinned = try await stub.modelInfer(Self.inferRequest(rows: row))
        #expect(unpinned.modelVersion == "v1.0.0")
        let byVersion = try await stub.modelInfer(Self.inferRequest(rows: row, version: "v1.1.0"))
        #expect(byVersion.modelVersion == "v1.1.0")
        let (message, trailing) = try await stub.modelInfer(
          Self.inferRequest(rows: row),
          metadata: ["x-hotswap-slot": "green"]
        ) {
          (try $0.message, $0.trailingMetadata)
        }
        #expect(message.modelVersion == "v1.1.0")
        #expect(Array(trailing[stringValues: "x-hotswap-slot"]) == ["green"])
        #expect(Array(trailing[stringValues: "x-model-version"]) == ["v1.1.0"])
      }
    }
  }

  /// A bad request and the status and message fragment it must get.
  struct BadCase: Sendable, CustomTestStringConvertible {
    let label: String
    let code: RPCError.Code
    let fragment: String
    let request: @Sendable () -> Inference_ModelInferRequest
    var testDescription: String { label }
  }

  static let badCases: [BadCase] = [
    BadCase(label: "unknown model", code: .notFound, fragment: "unknown model 'roses'") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.modelName = "roses"
      return request
    },
    BadCase(label: "unknown version", code: .notFound, fragment: "no version 'v9'") {
      inferRequest(rows: [[1, 2, 3, 4]], version: "v9")
    },
    BadCase(
      label: "raw bytes do not match the shape",
      code: .invalidArgument,
      fragment: "has 8 bytes of raw data but its shape needs 8 × 4 = 32"
    ) {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.inputs[0].shape = [2, 4]
      request.rawInputContents = [Data(repeating: 0, count: 8)]
      return request
    },
    BadCase(
      label: "typed contents do not match the shape",
      code: .invalidArgument,
      fragment: "contents hold 4"
    ) {
      var request = inferRequest(rows: [[1, 2, 3, 4]], raw: false)
      request.inputs[0].shape = [2, 4]
      return request
    },
    BadCase(label: "unknown datatype", code: .invalidArgument, fragment: "unknown datatype 'FP16'") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.inputs[0].datatype = "FP16"
      return request
    },
    BadCase(label: "wrong datatype", code: .invalidArgument, fragment: "input 'X' must be FP32, got FP64") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.inputs[0].datatype = "FP64"
      request.rawInputContents = [Data(repeating: 0, count: 32)]
      return request
    },
    BadCase(label: "wrong feature count", code: .invalidArgument, fragment: "must have shape [-1, 4]") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.inputs[0].shape = [1, 3]
      request.rawInputContents = [Data(repeating: 0, count: 12)]
      return request
    },
    BadCase(label: "unknown input", code: .invalidArgument, fragment: "unknown input 'Y'") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.inputs[0].name = "Y"
      return request
    },
    BadCase(label: "unknown output", code: .invalidArgument, fragment: "unknown output 'scores'") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      var output = Inference_ModelInferRequest.InferRequestedOutputTensor()
      output.name = "scores"
      request.outputs = [output]
      return request
    },
    BadCase(label: "no data", code: .invalidArgument, fragment: "has no data") {
      var request = inferRequest(rows: [[1, 2, 3, 4]])
      request.rawInputContents = []
      return request
    },
  ]

  @Test("bad ModelInfer requests get the right status and a message naming the problem", arguments: badCases)
  func badRequests(_ badCase: BadCase) async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let error = await #expect(throws: RPCError.self) { try await stub.modelInfer(badCase.request()) }
        #expect(error?.code == badCase.code)
        #expect(error?.message.contains(badCase.fragment) == true, "\(error?.message ?? "")")
        let ready = try await stub.serverReady(Inference_ServerReadyRequest())
        #expect(ready.ready)
      }
    }
  }

  @Test("methods Hotswap does not serve answer UNIMPLEMENTED")
  func unimplemented() async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let error = await #expect(throws: RPCError.self) {
          try await stub.modelConfig(Inference_ModelConfigRequest())
        }
        #expect(error?.code == .unimplemented)
        let index = await #expect(throws: RPCError.self) {
          try await stub.repositoryIndex(Inference_RepositoryIndexRequest())
        }
        #expect(index?.code == .unimplemented)
      }
    }
  }
}
