"""The dialogue core behind one seam (`bot.dialogue.seam`): NLU, conversation state, answers and replies."""
