// Tests for HotswapServer land here.
