"""birdc output: typed models, parsers for every supported command, and the control-socket client."""
