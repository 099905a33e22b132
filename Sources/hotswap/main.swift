print("hotswap: not built yet")
