// Module HotswapSystem: placeholder until its first real file lands.
