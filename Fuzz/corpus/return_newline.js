return
  x + 1;