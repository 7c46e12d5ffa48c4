"""Dataset lifecycle (seed 004): state machines, the registry with its audit trail, stages and limits."""
