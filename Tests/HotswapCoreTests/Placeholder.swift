// Tests for HotswapCore land here.
