// Module HotswapCore: placeholder until its first real file lands.
