// Generated gRPC and protobuf code for Hotswap's services lands here (scripts/generate-protos.sh).
