"""The fake secrets the security tests plant, then look for in logs, responses and error output."""

FAKE_TOKEN = "7312004567:AAFakeTokenForLeakTests_q9Zx3LmN0pQrS"
FAKE_API_KEY = "sk-elderbot-leaktest-5c1e9b7a44d2"
