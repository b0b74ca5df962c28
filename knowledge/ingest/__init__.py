"""Plans in, passages out: the manifest and raw texts, cleaning, tables, headings and chunking."""
