// Tests for HotswapRouting land here.
