#!/usr/bin/env bash
# Debian packages the tests use: espeak-ng (offline speech), ffmpeg (audio formats),
# redis-server (persistence tests), chromium and a Chinese font (staff page tests). Skips what is already there.
set -euo pipefail
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v fc-list >/dev/null && fc-list :lang=zh | grep -q . || need+=(fonts-wqy-microhei)
# the virtual environment scripts/install.sh makes needs venv and ensurepip (Debian's python3-venv)
python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
