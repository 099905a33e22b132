import NIOHTTP1

extension RESTRouter {
  /// Every REST route the server answers, in one place. `RouteTable` matches literal paths by
  /// lookup and the rest in this order; a path that matches with another method gets 405.
  static let routes: [RESTRoute] = [
    RESTRoute("/health", [.GET, .HEAD]) { router, request, _ in .response(router.health(request)) },
    RESTRoute("/healthz", [.GET, .HEAD]) { router, request, _ in .response(router.health(request)) },
    RESTRoute("/predict", [.POST], readsLargeBodies: true) { router, request, context in
      try router.predict(request, context)
    },
    RESTRoute("/status", [.GET, .HEAD]) { router, _, _ in .response(router.status()) },
    RESTRoute("/metrics", [.GET, .HEAD]) { router, _, _ in .response(try router.metrics()) },
    RESTRoute("/", [.GET, .HEAD]) { router, _, _ in .response(router.statusPage()) },

    // Open Inference Protocol (KServe / Triton v2).
    RESTRoute("/v2", [.GET, .HEAD]) { router, _, _ in .response(router.inference.serverMetadata()) },
    RESTRoute("/v2/health/live", [.GET, .HEAD]) { router, _, _ in .response(router.inference.live()) },
    RESTRoute("/v2/health/ready", [.GET, .HEAD]) { router, _, _ in .response(router.inference.ready()) },
    RESTRoute("/v2/models/{model}", [.GET, .HEAD]) { router, _, context in
      .response(try router.inference.modelMetadata(context.parameters))
    },
    RESTRoute("/v2/models/{model}/versions/{version}", [.GET, .HEAD]) { router, _, context in
      .response(try router.inference.modelMetadata(context.parameters))
    },
    RESTRoute("/v2/models/{model}/ready", [.GET, .HEAD]) { router, _, context in
      .response(try router.inference.modelReady(context.parameters))
    },
    RESTRoute("/v2/models/{model}/versions/{version}/ready", [.GET, .HEAD]) { router, _, context in
      .response(try router.inference.modelReady(context.parameters))
    },
    RESTRoute("/v2/models/{model}/infer", [.POST], readsLargeBodies: true) { router, request, context in
      try router.inference.infer(request, router, context)
    },
    RESTRoute("/v2/models/{model}/versions/{version}/infer", [.POST], readsLargeBodies: true) {
      router,
      request,
      context in
      try router.inference.infer(request, router, context)
    },
  ]
}
