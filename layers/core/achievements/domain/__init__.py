"""Pure rules of the product (SPEC §3): no I/O, no clock, no AWS."""
