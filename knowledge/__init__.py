"""elderbot knowledge: plans in, cited passages out."""
