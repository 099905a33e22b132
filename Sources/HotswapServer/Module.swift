// Module HotswapServer: placeholder until its first real file lands.
