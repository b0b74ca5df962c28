"""Embedded NLU: reads the Rasa project data in nlu_data/ and classifies intents and fills slots without Rasa."""
