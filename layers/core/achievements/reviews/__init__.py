"""Reviews (SPEC §10): a document of a person's, a team's or everyone's period against the previous one."""
