// Module OnnxProto: placeholder until its first real file lands.
