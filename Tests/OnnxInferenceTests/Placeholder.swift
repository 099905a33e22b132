// Tests for OnnxInference land here.
