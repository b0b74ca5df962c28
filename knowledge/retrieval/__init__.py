"""The passage store, BM25 and dense retrievers, fusion, the persisted index and the one search entry point."""
