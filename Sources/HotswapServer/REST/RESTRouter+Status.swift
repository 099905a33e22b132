import FoundationEssentials
import HotswapCore
import HotswapJSON

extension RESTRouter {
  /// `GET /status`: the deployment as JSON — generation, slots with path, version, sha256, load
  /// time and share, sticky header, the last applied change and the last error.
  func status() -> RESTResponse {
    var writer = JSONWriter(capacity: 1024)
    StatusDocument(environment: environment).write(into: &writer)
    return .json(.ok, writer)
  }
}
