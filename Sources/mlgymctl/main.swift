print("mlgymctl: not built yet")
