// The store: see issue 3.
