// Module HotswapRouting: placeholder until its first real file lands.
