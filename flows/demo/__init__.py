"""The demo: simulated boards that answer in Swedish, and the simulated spring around them."""
