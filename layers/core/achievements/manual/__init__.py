"""Manual achievements: what no integration sees, recorded, edited, hidden, deleted and restored by people."""
