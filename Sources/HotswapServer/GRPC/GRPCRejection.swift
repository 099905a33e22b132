/// How a request that cannot be called is answered: an HTTP status other than 200 where the
/// protocol says so (405, 415), a gRPC status always (clients show its message), and extra
/// response headers.
struct GRPCRejection: Error, Equatable {
  /// The `:status` of the answer.
  let httpStatus: Int
  /// The `grpc-status` and `grpc-message`.
  let status: GRPCStatus
  /// Extra headers (`allow`, `grpc-accept-encoding`).
  let headers: [(String, String)]

  init(httpStatus: Int = 200, _ status: GRPCStatus, headers: [(String, String)] = []) {
    self.httpStatus = httpStatus
    self.status = status
    self.headers = headers
  }

  static func == (lhs: GRPCRejection, rhs: GRPCRejection) -> Bool {
    lhs.httpStatus == rhs.httpStatus && lhs.status == rhs.status
      && lhs.headers.map(\.0) == rhs.headers.map(\.0) && lhs.headers.map(\.1) == rhs.headers.map(\.1)
  }
}
