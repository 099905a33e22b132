#!/usr/bin/env bash
# Regenerates the committed Swift code for the repository's .proto files. Run it after editing a
# file under proto/. It builds the protoc plugins it needs from the local package mirror when they
# are missing (cached under $PLUGIN_CACHE), so CI, which only compiles the committed code, never
# needs them. Requires `protoc` (Debian: protobuf-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR=${SWIFT_PACKAGE_MIRROR:-/opt/swift-packages}
PLUGIN_CACHE=${PLUGIN_CACHE:-/tmp/hotswap-protoc-plugins}
SWIFT_PROTOBUF_VERSION=1.39.0
GRPC_SWIFT_PROTOBUF_VERSION=2.4.1

# Prints the path of protoc-gen-swift, building it from the mirror at the pinned tag if needed.
protoc_gen_swift() {
  local src="$PLUGIN_CACHE/swift-protobuf-$SWIFT_PROTOBUF_VERSION"
  local bin="$src/.build/release/protoc-gen-swift"
  if [ ! -x "$bin" ]; then
    if [ ! -d "$src/.git" ]; then
      mkdir -p "$PLUGIN_CACHE"
      git clone -q "$MIRROR/apple/swift-protobuf.git" "$src" >&2
      git -C "$src" -c advice.detachedHead=false checkout -q "$SWIFT_PROTOBUF_VERSION" >&2
    fi
    echo "generate-protos: building protoc-gen-swift $SWIFT_PROTOBUF_VERSION (once)" >&2
    swift build -c release --package-path "$src" --product protoc-gen-swift >&2
  fi
  echo "$bin"
}

# Sources/OnnxProto: the minimal ONNX schema read by OnnxInference.
generate_onnx_proto() {
  local plugin
  plugin=$(protoc_gen_swift)
  local out=Sources/OnnxProto
  rm -f "$out"/*.pb.swift "$out"/Module.swift
  protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path=proto/onnx \
    --swift_opt=Visibility=Public \
    --swift_out="$out" \
    proto/onnx/onnx.proto
  echo "generate-protos: wrote $out/onnx.pb.swift"
}

# Prints the path of protoc-gen-grpc-swift-2, building it from the mirror at the pinned tag if needed.
protoc_gen_grpc_swift() {
  local src="$PLUGIN_CACHE/grpc-swift-protobuf-$GRPC_SWIFT_PROTOBUF_VERSION"
  local bin="$src/.build/release/protoc-gen-grpc-swift-2"
  if [ ! -x "$bin" ]; then
    if [ ! -d "$src/.git" ]; then
      mkdir -p "$PLUGIN_CACHE"
      git clone -q "$MIRROR/grpc/grpc-swift-protobuf.git" "$src" >&2
      git -C "$src" -c advice.detachedHead=false checkout -q "$GRPC_SWIFT_PROTOBUF_VERSION" >&2
    fi
    echo "generate-protos: building protoc-gen-grpc-swift-2 $GRPC_SWIFT_PROTOBUF_VERSION (once)" >&2
    swift build -c release --package-path "$src" --product protoc-gen-grpc-swift-2 >&2
  fi
  echo "$bin"
}

# Sources/HotswapProtos: the messages of the gRPC services (the seed's PredictionService, the Open
# Inference Protocol, grpc.health.v1), public; the server decodes and encodes them itself.
# Sources/HotswapGRPCStubs: grpc-swift-2 client and service code for the same services, used by the
# tests and the benchmark's reference server only (the server does not link grpc-swift-2).
generate_grpc_protos() {
  local swift_plugin grpc_plugin
  swift_plugin=$(protoc_gen_swift)
  grpc_plugin=$(protoc_gen_grpc_swift)
  local messages=Sources/HotswapProtos
  local stubs=Sources/HotswapGRPCStubs
  local files=(hotswap/model.proto inference/grpc_service.proto grpc/health/v1/health.proto)
  rm -f "$messages"/*.pb.swift "$stubs"/*.grpc.swift
  mkdir -p "$stubs"
  protoc --plugin=protoc-gen-swift="$swift_plugin" \
    --plugin=protoc-gen-grpc-swift-2="$grpc_plugin" \
    --proto_path=proto \
    --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
    --swift_out="$messages" \
    --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,ExtraModuleImports=HotswapProtos \
    --grpc-swift-2_out="$stubs" \
    "${files[@]/#/proto/}"
  echo "generate-protos: wrote $messages/*.pb.swift and $stubs/*.grpc.swift"
}

generate_onnx_proto
generate_grpc_protos
