"""Speech engines behind one protocol (see base.py); build them with registry.build_engines."""
