"""The applier: transports to nodes, safe reload with rollback, and verification."""
