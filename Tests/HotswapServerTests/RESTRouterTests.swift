import Foundation
import HotswapConfig
import HotswapCore
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import HotswapServer

/// `RESTRouter.route` as a pure function: request in, route result out, over a snapshot of the
/// repository's iris models (blue v1.0.0 with all traffic, green v1.1.0 on standby).
@Suite struct RESTRouterTests {
  struct Case: Sendable, CustomStringConvertible {
    let method: HTTPMethod
    let path: String
    var body: String = ""
    let status: Int
    let fragment: String
    var description: String { "\(method.rawValue) \(path)" }
  }

  static let features = #"{"features":[5.1,3.5,1.4,0.2]}"#
  static let infer = #"{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#

  static let cases: [Case] = [
    Case(method: .GET, path: "/health", status: 200, fragment: #""slot":"blue""#),
    Case(method: .HEAD, path: "/healthz", status: 200, fragment: #""status":"ok""#),
    Case(
      method: .POST,
      path: "/health",
      status: 405,
      fragment: "POST is not allowed on /health; use GET, HEAD"
    ),
    Case(method: .POST, path: "/predict", body: features, status: 200, fragment: #""class_name":"setosa""#),
    Case(
      method: .POST,
      path: "/predict?verbose=1",
      body: features,
      status: 200,
      fragment: #""prediction":0"#
    ),
    Case(method: .GET, path: "/predict", status: 405, fragment: "use POST"),
    Case(method: .POST, path: "/predict", body: "{", status: 400, fragment: "invalid JSON"),
    Case(method: .POST, path: "/predict", body: #"{"features":[1,NaN,3,4]}"#, status: 400, fragment: "NaN"),
    Case(method: .GET, path: "/status", status: 200, fragment: #""generation":1"#),
    Case(method: .GET, path: "/", status: 200, fragment: "<html"),
    Case(method: .GET, path: "/metrics", status: 404, fragment: "metrics are disabled"),
    Case(method: .GET, path: "/nope", status: 404, fragment: "no route for GET /nope; try GET /health"),
    Case(method: .GET, path: "/health/", status: 404, fragment: "no route"),
    Case(method: .GET, path: "/v2", status: 200, fragment: #""extensions""#),
    Case(method: .GET, path: "/v2/health/live", status: 200, fragment: #"{"live":true}"#),
    Case(method: .GET, path: "/v2/health/ready", status: 200, fragment: #"{"ready":true}"#),
    Case(method: .DELETE, path: "/v2/health/ready", status: 405, fragment: "use GET, HEAD"),
    Case(method: .GET, path: "/v2/models/iris", status: 200, fragment: #""versions":["v1.0.0","v1.1.0"]"#),
    Case(method: .GET, path: "/v2/models/iris/versions/v1.1.0", status: 200, fragment: #""name":"iris""#),
    Case(method: .GET, path: "/v2/models/iris/ready", status: 200, fragment: #"{"ready":true}"#),
    Case(
      method: .GET,
      path: "/v2/models/iris/versions/v1.0.0/ready",
      status: 200,
      fragment: #""ready":true"#
    ),
    Case(method: .GET, path: "/v2/models/iris/versions/v9/ready", status: 404, fragment: "no version 'v9'"),
    Case(method: .GET, path: "/v2/models/roses", status: 404, fragment: "unknown model 'roses'"),
    Case(
      method: .POST,
      path: "/v2/models/iris/infer",
      body: infer,
      status: 200,
      fragment: #""model_version":"v1.0.0""#
    ),
    Case(
      method: .POST,
      path: "/v2/models/iris/versions/v1.1.0/infer",
      body: infer,
      status: 200,
      fragment: #""model_version":"v1.1.0""#
    ),
    Case(method: .GET, path: "/v2/models/iris/infer", status: 405, fragment: "use POST"),
    Case(method: .GET, path: "/v2/models/iris/bogus", status: 404, fragment: "try …/ready or …/infer"),
    Case(method: .GET, path: "/v2/models//ready", status: 404, fragment: "no Open Inference Protocol route"),
    Case(
      method: .GET,
      path: "/v2/nope",
      status: 404,
      fragment: "no Open Inference Protocol route for /v2/nope"
    ),
  ]

  static func router(observer: any RequestObserver = DiscardingRequestObserver()) throws -> RESTRouter {
    let blue = try MetricsExpositionTests.model("models/iris/v1.0.0/model.onnx", loadMilliseconds: 1)
    let green = try MetricsExpositionTests.model("models/iris/v1.1.0/model.onnx", loadMilliseconds: 1)
    let store = SnapshotStore()
    store.publish(
      try MetricsExpositionTests.snapshot(
        generation: 1,
        blue: 100,
        green: 0,
        greenModel: green,
        blueModel: blue
      )
    )
    let environment = ServingEnvironment(
      store: store,
      state: DeploymentState(configPath: "/tmp/active.toml"),
      settings: ServerSettings(modelName: "iris"),
      observer: observer
    )
    return RESTRouter(environment: environment)
  }

  static func request(_ method: HTTPMethod, _ path: String, body: String = "") -> RESTRequest {
    RESTRequest(method: method, uri: path, headers: [:], body: ByteBuffer(string: body))
  }

  static func answer(_ result: RouteResult) -> RESTResponse {
    switch result {
    case .response(let response): response
    case .offload(let work): work.run()
    }
  }

  @Test(arguments: cases)
  func routesAnswer(_ item: Case) throws {
    let router = try Self.router()
    let result = router.route(Self.request(item.method, item.path, body: item.body))
    guard case .response(let response) = result else {
      Issue.record("a small request is answered inline")
      return
    }
    #expect(Int(response.status.code) == item.status)
    #expect(String(decoding: response.body, as: UTF8.self).contains(item.fragment))
    if item.status == 405 { #expect(response.headers.first(name: "Allow") != nil) }
  }

  /// Every row of the table answers a request built from its own pattern.
  @Test func everyListedRouteIsReachable() throws {
    let router = try Self.router()
    for route in RESTRouter.routes {
      let path = route.pattern.replacingOccurrences(of: "{model}", with: "iris")
        .replacingOccurrences(of: "{version}", with: "v1.0.0")
      let method = try #require(route.methods.first)
      let body = method == .POST ? (path.hasSuffix("infer") ? Self.infer : Self.features) : ""
      let response = Self.answer(router.route(Self.request(method, path, body: body)))
      #expect(![404, 405].contains(response.status.code) || path == "/metrics", "\(route.pattern)")
    }
  }

  @Test func largeBatchesAndLargeBodiesRunOffTheEventLoop() throws {
    let router = try Self.router()
    let rows = Array(repeating: "[5.1,3.5,1.4,0.2]", count: RESTRouter.inlineRowLimit + 1)
    let batch = router.route(
      Self.request(.POST, "/predict", body: #"{"instances":[\#(rows.joined(separator: ","))]}"#)
    )
    guard case .offload = batch else {
      Issue.record("65 rows run on the thread pool")
      return
    }
    let padded = Self.features + String(repeating: " ", count: RESTRouter.inlineBodyLimit)
    let large = router.route(Self.request(.POST, "/predict", body: padded))
    guard case .offload(let work) = large else {
      Issue.record("a body over the inline limit is parsed on the thread pool")
      return
    }
    #expect(work.run().status == .ok)
  }

  @Test func tooManyRowsAre413BeforeTheRowsAreBuilt() throws {
    let router = try Self.router()
    let rows = Array(repeating: "[1]", count: RESTRouter.maxRowsPerRequest + 1).joined(separator: ",")
    let response = Self.answer(
      router.route(Self.request(.POST, "/predict", body: #"{"instances":[\#(rows)]}"#))
    )
    #expect(response.status == .payloadTooLarge)
    #expect(String(decoding: response.body, as: UTF8.self).contains("the limit is 100000 rows per request"))
  }

  /// The work of a `/predict` of 100 rows, which the router hands to the thread pool; nil if it
  /// answered right away.
  static func offloadedPredict(_ router: RESTRouter) -> OffloadedWork? {
    let rows = Array(repeating: "[5.1,3.5,1.4,0.2]", count: 100).joined(separator: ",")
    guard
      case .offload(let work) = router.route(
        Self.request(.POST, "/predict", body: #"{"instances":[\#(rows)]}"#)
      )
    else { return nil }
    return work
  }

  @Test func anExpiredOffloadIsChargedToItsSlotOnceAndItsOwnOutcomeIsDropped() throws {
    let recorder = RecordingObserver()
    let router = try Self.router(observer: recorder)
    let work = try #require(Self.offloadedPredict(router), "100 rows are offloaded")
    #expect(work.expire())
    #expect(work.run().status == .ok, "the late work still completes")
    let seen = recorder.observations
    #expect(seen.count == 1)
    #expect(seen.first?.outcome == .serverError)
    #expect(seen.first?.slot == "blue")
    #expect(seen.first?.endpoint == "predict")
  }

  @Test func anOffloadThatFinishedCannotBeExpired() throws {
    let recorder = RecordingObserver()
    let router = try Self.router(observer: recorder)
    let work = try #require(Self.offloadedPredict(router), "100 rows are offloaded")
    #expect(work.run().status == .ok)
    #expect(!work.expire())
    #expect(recorder.observations.map(\.outcome) == [.success])
  }
}

/// Keeps every observation, for tests.
final class RecordingObserver: RequestObserver, Sendable {
  private let seen = Mutex<[RequestObservation]>([])

  func observe(_ observation: RequestObservation) {
    seen.withLock { $0.append(observation) }
  }

  var observations: [RequestObservation] { seen.withLock { $0 } }
}
