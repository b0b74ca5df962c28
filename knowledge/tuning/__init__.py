"""Offline tuning of retrieval (calibration, fine-tuning, the dense gate): run by `elderbot index`, never at
answer time."""
