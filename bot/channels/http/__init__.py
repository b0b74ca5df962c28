"""The HTTP channel: JSON API (/v1), the staff lookup page (/) and the hotline audio endpoint.

Build the app with `bot.channels.http.app.create_app(settings)`; `elderbot serve` runs it under uvicorn.
"""
