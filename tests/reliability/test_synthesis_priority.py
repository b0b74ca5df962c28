"""Issue 19, item 7: the programs that make speech (espeak-ng, ffmpeg) run below the server's CPU priority, so a
flood of /v1/speak takes the CPU the answers leave idle (bench/bench_resilience.py measures the latency)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from voice.formats import AudioFormat
from voice.priority import run_in_background
from voice.settings import VoiceSettings
from voice.speaker import Speaker

NICE_OF_SELF = "cut -d' ' -f19 /proc/$$/stat"  # field 19 of /proc/<pid>/stat is the process's nice value


def own_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("niceness", [0, 5, 10])
def test_a_background_program_runs_niceness_steps_below_us(niceness: int) -> None:
    # the child reads its stdin first: it is written only after the child was lowered
    done = run_in_background(["sh", "-c", f"read line; {NICE_OF_SELF}"], b"go\n", 10.0, niceness)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == min(19, own_nice() + niceness)


def test_a_background_program_that_takes_too_long_is_stopped() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        run_in_background(["sleep", "5"], None, 0.3)


def recording_wrapper(tmp_path: Path, program: str) -> tuple[Path, Path]:
    """A stand-in for `program` that runs it, then writes its own nice value to a file (after the real program has
    read all its input, so after it was lowered)."""
    real = shutil.which(program)
    if real is None:
        pytest.skip(f"{program} is not installed")
    record = tmp_path / f"{program}.nice"
    wrapper = tmp_path / f"{program}-wrapper"
    wrapper.write_text(f'#!/bin/sh\n"{real}" "$@"\nstatus=$?\n{NICE_OF_SELF} > "{record}"\nexit $status\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, record


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_speaker_runs_espeak_and_ffmpeg_in_the_background(tmp_path: Path) -> None:
    espeak, espeak_nice = recording_wrapper(tmp_path, "espeak-ng")
    ffmpeg, ffmpeg_nice = recording_wrapper(tmp_path, "ffmpeg")
    settings = VoiceSettings(
        engines=("espeak",),
        cache_dir=None,
        espeak_binary=str(espeak),
        ffmpeg_binary=str(ffmpeg),
        synthesis_niceness=7,
    )
    result = Speaker(settings).synthesize("高龄津贴按月发放。请拨打热线。", AudioFormat.MP3)
    assert result.engine == "espeak" and len(result.audio) > 1000
    assert int(espeak_nice.read_text()) == min(19, own_nice() + 7)
    assert int(ffmpeg_nice.read_text()) == min(19, own_nice() + 7)


def test_the_niceness_is_configured_from_the_environment() -> None:
    assert VoiceSettings.from_env({}).synthesis_niceness == 10
    assert VoiceSettings.from_env({"ELDERBOT_TTS_NICENESS": "0"}).synthesis_niceness == 0
