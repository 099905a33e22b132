import NIOHTTP1

extension RESTRouter {
  /// `GET /`: the self-refreshing status page.
  func statusPage() -> RESTResponse {
    var response = RESTResponse.text(.ok, StatusPageHTML.document, contentType: "text/html; charset=utf-8")
    response.headers.add(name: "Cache-Control", value: "no-store")
    return response
  }
}
