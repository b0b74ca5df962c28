"""Maintenance commands (index, facility import, evaluation): they reach into knowledge/ directly and are
never imported by the channels or the dialogue core."""
