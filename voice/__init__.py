"""elderbot voice: text in, audio out."""
