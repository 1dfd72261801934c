"""Real BIRD at hand: the version matrix, network namespaces, and the walkthrough lab."""
