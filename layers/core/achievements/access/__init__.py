"""Access (SPEC §9): tokens with roles, the Lambda authorizer, and the one rules table every handler applies."""
