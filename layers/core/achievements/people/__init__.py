"""People and teams: the registry, re-attribution when an alias is claimed, a team's skills inventory."""
