"""The pipeline: the achievements table's stream becomes domain events on the EventBridge bus (SPEC §6)."""
