print("hotswap-onnx: not built yet")
