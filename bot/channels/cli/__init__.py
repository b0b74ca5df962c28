"""The `elderbot` command (`main.py`) and its user-facing subcommands, one module each."""
