"""Chinese text handling (normalisation, tokens, synonyms, homophones) and the gazetteer of place names."""
