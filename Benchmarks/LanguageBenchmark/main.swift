print("language benchmark: not written yet")
