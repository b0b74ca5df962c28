"""/v1/speak (text → audio), /v1/hotline (a caller's words → spoken answer) and /v1/audio/{id}.wav."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bot.channels.http.errors import documented_errors
from bot.channels.http.hotline_hearing import hotline_hearing
from bot.channels.http.schemas import (
    AUDIO_ID_PATTERN,
    ErrorBody,
    HotlineRequest,
    HotlineResponse,
    SpeakRequest,
)
from bot.channels.http.security import require_api_key
from bot.channels.http.services import Services, get_services
from bot.dialogue.seam import Turn
from voice.formats import AudioFormat
from voice.speaker import NothingToSpeakError, SpeechError

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)],
                   responses=documented_errors({422: "Invalid input, or nothing in the text to speak"}))
ServicesDep = Annotated[Services, Depends(get_services)]
SPEAK_RETRY_AFTER_S = 2
_AUDIO_CONTENT = {fmt.mime_type: {"schema": {"type": "string", "format": "binary"}} for fmt in AudioFormat}


@router.post("/speak", response_class=Response, summary="Read text aloud",
             responses={200: {"content": _AUDIO_CONTENT, "description": "mp3 audio/mpeg, ogg audio/ogg (Opus), "
                                                                        "wav8k audio/wav (8 kHz mono 16-bit)"},
                        429: {"model": ErrorBody, "description": "Every synthesis slot is busy; retry after "
                                                                 "Retry-After seconds"}})
async def speak(body: SpeakRequest, services: ServicesDep) -> Response:
    """Audio of the text in the asked format. At most ELDERBOT_SPEAK_CONCURRENCY syntheses run at once; a request
    that finds none free within ELDERBOT_SPEAK_WAIT_S gets 429 with Retry-After."""
    fmt = AudioFormat.parse(body.format)
    if not await services.speak_slot():
        raise HTTPException(429, "朗读请求太多，请稍后再试。 / Too many speech requests right now; retry shortly.",
                            headers={"Retry-After": str(SPEAK_RETRY_AFTER_S)})
    try:
        result = await run_in_threadpool(services.speaker.synthesize, body.text, fmt)
    except NothingToSpeakError as exc:
        raise HTTPException(422, f"{exc.user_message} / The text holds nothing that can be read aloud.") from exc
    except SpeechError as exc:
        raise HTTPException(503, f"{exc.user_message} / Speech is unavailable right now.") from exc
    finally:
        services.release_speak_slot()
    return Response(result.audio, media_type=fmt.mime_type,
                    headers={"Cache-Control": "private, max-age=3600", "X-Speech-Engine": result.engine})


@router.post("/hotline", response_model=HotlineResponse, summary="Answer a caller and give phone-playable audio")
def hotline(body: HotlineRequest, request: Request, services: ServicesDep) -> HotlineResponse:
    """One caller turn, as text or as the caller's voice (`audio`, base64 WAV: what was heard comes back as
    `heard`; an unsure hearing is read back first, action "confirm"). The conversation is kept per call_id;
    action "handoff" means transfer to a person."""
    conversation = services.conversation("hotline", body.call_id) or body.call_id
    caller = hotline_hearing(request.app).turn(services.backend, conversation, body.text, body.audio)
    if caller.question is not None:
        reply = services.respond(Turn(text=caller.question, conversation=conversation))
        speech, answer, action = reply.speech, reply.answer, reply.action.value
    else:
        speech = answer = caller.say
        action = caller.action
    audio_url: str | None = None
    try:
        audio = services.speaker.synthesize(speech or answer, AudioFormat.WAV_8K).audio
    except SpeechError:
        audio = None
    if audio is not None:
        audio_id = services.audio_store.put(audio)
        audio_url = services.public_url(f"/v1/audio/{audio_id}.wav")  # configuration, never the Host header
    return HotlineResponse(speech=speech, answer=answer, action=action, audio_url=audio_url, heard=caller.heard)


@router.get("/audio/{audio_id}.wav", name="get_audio", response_class=Response, summary="Hotline audio",
            responses={200: {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "WAV 8 kHz mono 16-bit"},
                       404: {"model": ErrorBody, "description": "No such audio (expired or never made)"}})
def get_audio(audio_id: Annotated[str, Path(pattern=AUDIO_ID_PATTERN, description="SHA-256 of the audio, hex")],
              services: ServicesDep) -> Response:
    """A WAV made by /v1/hotline, by its content hash."""
    audio = services.audio_store.get(audio_id)
    if audio is None:
        raise HTTPException(404, "找不到这段录音，可能已过期。 / No such audio; it may have expired.")
    return Response(audio, media_type=AudioFormat.WAV_8K.mime_type,
                    headers={"Cache-Control": "private, max-age=86400, immutable"})
