"""One widget per module, named for what it shows."""
