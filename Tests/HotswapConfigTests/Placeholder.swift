// Tests for HotswapConfig land here.
