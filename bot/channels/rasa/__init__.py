"""Rasa custom actions: Rasa picks the action, the dialogue core (through the seam) writes the reply."""
