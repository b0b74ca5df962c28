"""The Telegram channel: big buttons, voice replies, region memory and locations, over the dialogue seam."""
