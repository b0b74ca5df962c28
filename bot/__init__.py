"""elderbot: dialogue core and channels."""
