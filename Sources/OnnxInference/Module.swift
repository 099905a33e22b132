// Module OnnxInference: placeholder until its first real file lands.
