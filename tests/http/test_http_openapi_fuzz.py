"""Requests generated from /openapi.json (schemathesis, bounded examples) never get a 5xx and match the spec.

ELDERBOT_FUZZ_EXAMPLES sets the examples per operation (default 30) for a longer local run."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from voice.settings import VoiceSettings
from voice.speaker import Speaker


@pytest.fixture(scope="session")
def api_schema(http_settings: BotSettings, embedded: EmbeddedBackend, tmp_path_factory: pytest.TempPathFactory
               ) -> schemathesis.BaseSchema:
    """The app over the real core; espeak reads at most 120 characters per request to keep the run short."""
    voice = VoiceSettings(engines=("espeak",), max_speech_chars=120, cache_dir=tmp_path_factory.mktemp("fuzz-voice"))
    app = create_app(http_settings, backend=embedded, speaker=Speaker(voice))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=int(os.environ.get("ELDERBOT_FUZZ_EXAMPLES", "30")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_generated_requests_never_fail_the_server(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
