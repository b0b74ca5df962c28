"""Subcommands of `elderbot`, one module each, with `register(subparsers)`."""
