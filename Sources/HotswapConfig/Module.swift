// Module HotswapConfig: placeholder until its first real file lands.
