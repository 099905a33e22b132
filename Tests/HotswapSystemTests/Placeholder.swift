// Tests for HotswapSystem land here.
