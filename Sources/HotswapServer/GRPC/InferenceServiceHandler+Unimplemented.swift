import GRPCCore
import HotswapProtos

/// The methods of `inference.GRPCInferenceService` Hotswap does not serve: each answers
/// UNIMPLEMENTED with the method's name, as the protocol allows for optional extensions.
extension InferenceServiceHandler {
  func modelStreamInfer(
    request: StreamingServerRequest<Inference_ModelInferRequest>,
    context: ServerContext
  ) async throws -> StreamingServerResponse<Inference_ModelStreamInferResponse> {
    throw Self.unimplemented("ModelStreamInfer")
  }

  func modelConfig(
    request: ServerRequest<Inference_ModelConfigRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_ModelConfigResponse> {
    throw Self.unimplemented("ModelConfig")
  }

  func modelStatistics(
    request: ServerRequest<Inference_ModelStatisticsRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_ModelStatisticsResponse> {
    throw Self.unimplemented("ModelStatistics")
  }

  func repositoryIndex(
    request: ServerRequest<Inference_RepositoryIndexRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_RepositoryIndexResponse> {
    throw Self.unimplemented("RepositoryIndex")
  }

  func repositoryModelLoad(
    request: ServerRequest<Inference_RepositoryModelLoadRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_RepositoryModelLoadResponse> {
    throw Self.unimplemented("RepositoryModelLoad")
  }

  func repositoryModelUnload(
    request: ServerRequest<Inference_RepositoryModelUnloadRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_RepositoryModelUnloadResponse> {
    throw Self.unimplemented("RepositoryModelUnload")
  }

  func systemSharedMemoryStatus(
    request: ServerRequest<Inference_SystemSharedMemoryStatusRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_SystemSharedMemoryStatusResponse> {
    throw Self.unimplemented("SystemSharedMemoryStatus")
  }

  func systemSharedMemoryRegister(
    request: ServerRequest<Inference_SystemSharedMemoryRegisterRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_SystemSharedMemoryRegisterResponse> {
    throw Self.unimplemented("SystemSharedMemoryRegister")
  }

  func systemSharedMemoryUnregister(
    request: ServerRequest<Inference_SystemSharedMemoryUnregisterRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_SystemSharedMemoryUnregisterResponse> {
    throw Self.unimplemented("SystemSharedMemoryUnregister")
  }

  func cudaSharedMemoryStatus(
    request: ServerRequest<Inference_CudaSharedMemoryStatusRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_CudaSharedMemoryStatusResponse> {
    throw Self.unimplemented("CudaSharedMemoryStatus")
  }

  func cudaSharedMemoryRegister(
    request: ServerRequest<Inference_CudaSharedMemoryRegisterRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_CudaSharedMemoryRegisterResponse> {
    throw Self.unimplemented("CudaSharedMemoryRegister")
  }

  func cudaSharedMemoryUnregister(
    request: ServerRequest<Inference_CudaSharedMemoryUnregisterRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_CudaSharedMemoryUnregisterResponse> {
    throw Self.unimplemented("CudaSharedMemoryUnregister")
  }

  func traceSetting(
    request: ServerRequest<Inference_TraceSettingRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_TraceSettingResponse> {
    throw Self.unimplemented("TraceSetting")
  }

  func logSettings(
    request: ServerRequest<Inference_LogSettingsRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Inference_LogSettingsResponse> {
    throw Self.unimplemented("LogSettings")
  }

  private static func unimplemented(_ method: String) -> RPCError {
    RPCError(
      code: .unimplemented,
      message: "inference.GRPCInferenceService/\(method) is not served by Hotswap"
    )
  }
}
