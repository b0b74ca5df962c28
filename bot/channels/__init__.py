"""Thin channels over the dialogue seam: CLI, HTTP (API, staff page, hotline), Telegram, Rasa actions."""
