"""Bad input gets a kind reply, never an exception."""

from __future__ import annotations

import pytest

from bot.dialogue.core import DialogueCore
from bot.dialogue.seam import Action, Turn

BAD_INPUTS = [
    "",
    "   \n\t ",
    "老" * 100_000,
    "😀😀😀👍",
    "\x00\x01\x02\x1b[31m",
    "What is the pension subsidy?",
    "<script>alert(1)</script>",
    "'; DROP TABLE passages; --",
    "\ufeff\u200b",
    "1234567890",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gets_a_kind_reply(core: DialogueCore, text: str) -> None:
    reply = core.respond(Turn(text, "bad-input"))
    assert reply.answer.strip()
    assert reply.action in (Action.SMALLTALK, Action.FALLBACK, Action.CLARIFY_REGION, Action.ANSWER)
    assert "Traceback" not in reply.answer


def test_non_string_input_is_refused_kindly(core: DialogueCore) -> None:
    reply = core.respond(Turn(b"\xff\xfe".decode("latin-1"), None))
    assert reply.action is Action.SMALLTALK
