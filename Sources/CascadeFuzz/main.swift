print("cascade-fuzz: not built yet")
