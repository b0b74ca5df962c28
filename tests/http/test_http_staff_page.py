"""The staff page driven in real headless Chromium (Debian's /usr/bin/chromium) against uvicorn on loopback."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from voice.speaker import Speaker

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download)")
if not Path(CHROMIUM).exists():
    pytest.skip("chromium not installed (apt-get install -y chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """uvicorn in a thread on a free loopback port; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base_url: str):  # type: ignore[no-untyped-def]
    # bypass_csp lets Playwright evaluate its wait expressions; the page's own CSP is tested over HTTP
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: errors.append("external " + req.url)
            if not req.url.startswith((base_url, "blob:", "data:")) else None)
    page.goto(base_url + "/")
    page.wait_for_function("document.querySelectorAll('#region option').length > 1")
    yield page
    context.close()
    assert errors == []  # no script errors, nothing fetched from outside the app


def search(page, question: str, region: str = "", topic: str = "") -> None:  # type: ignore[no-untyped-def]
    page.fill("#question", question)
    page.select_option("#region", region)
    page.select_option("#topic", topic)
    page.click("#search-button")
    page.wait_for_selector("#results-panel:not([hidden])")
    page.wait_for_function("document.getElementById('status').textContent.includes('查询完成')")


def test_search_shows_answer_citation_and_region_filtered_passages(page, base_url: str) -> None:
    search(page, "高龄津贴怎么发放", region="涪陵")
    assert page.inner_text("#answer-text").strip()
    api = httpx.get(base_url + "/v1/search", params={"q": "高龄津贴怎么发放", "region": "涪陵", "k": 5}).json()
    regions = page.locator("#results .result-region").all_inner_texts()
    assert len(regions) == len(api["sources"]) > 0
    assert all(text.endswith("涪陵") for text in regions)
    citations = page.locator("#results .citation").all_inner_texts()
    assert citations[0].startswith("《" + api["sources"][0]["title"])


def test_topic_filter_reaches_the_search(page, base_url: str) -> None:
    search(page, "服务", topic="meal")
    api = httpx.get(base_url + "/v1/search", params={"q": "服务", "topic": "meal", "k": 5}).json()
    snippets = page.locator("#results .result-snippet").all_inner_texts()
    assert [s.removesuffix("……") for s in snippets] == [src["text"][:90] for src in api["sources"]]


def test_full_passage_opens_on_click_and_closes_with_escape(page, base_url: str) -> None:
    search(page, "老年大学", region="资阳")
    api = httpx.get(base_url + "/v1/search", params={"q": "老年大学", "region": "资阳", "k": 5}).json()
    button = page.locator("#results .result button").first
    button.click()
    dialog = page.locator("#passage-dialog")
    assert dialog.is_visible()
    assert page.inner_text("#passage-text") == api["sources"][0]["text"]
    assert api["sources"][0]["section"] in page.inner_text("#passage-citation")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "查看全文"


def test_regions_compared_side_by_side(page, base_url: str) -> None:
    page.fill("#question", "助餐")
    page.click("#compare-button")
    page.wait_for_selector("#compare-panel:not([hidden]) .compare-card")
    regions = httpx.get(base_url + "/v1/regions").json()["regions"]
    assert page.locator(".compare-card h3").all_inner_texts() == [r["short_name"] for r in regions]
    boxes = [card.bounding_box() for card in page.locator(".compare-card").all()[:2]]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side, not stacked


def test_compare_shows_each_regions_sentence_and_says_where_a_plan_is_silent(page, base_url: str) -> None:
    question = "时间银行怎么存时间"  # 涪陵's plan does not address it (the relevance gate leaves its row empty)
    page.fill("#question", question)
    page.click("#compare-button")
    page.wait_for_selector("#compare-panel:not([hidden]) .compare-card")
    rows = httpx.get(base_url + "/v1/compare", params={"q": question}).json()["rows"]
    cards = page.locator(".compare-card").all()
    assert len(cards) == len(rows)
    for card, row in zip(cards, rows, strict=True):
        assert card.locator("h3").inner_text() == row["short_region"]
        if row["source"]:
            assert card.locator(".compare-answer").inner_text() == row["sentence"]
            assert row["sentence"] != row["source"]["text"]
        else:
            assert card.locator(".compare-answer").count() == 0
            assert "没有写到" in card.locator(".none-found").inner_text()
    assert [r["short_region"] for r in rows if r["source"] is None] == ["涪陵"]


@pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None,
                    reason="espeak-ng and ffmpeg are needed to speak")
def test_play_button_plays_the_spoken_answer(page) -> None:
    search(page, "老年大学怎么报名", region="双桥")
    page.click("#play-button")
    page.wait_for_function("document.getElementById('status').textContent.includes('正在朗读')", timeout=60_000)
    audio = page.evaluate("""() => { const a = document.getElementById('answer-audio');
        return {src: a.src, error: a.error && a.error.code, duration: a.duration, hidden: a.hidden}; }""")
    assert audio["src"].startswith("blob:") and audio["error"] is None and not audio["hidden"]
    assert audio["duration"] > 0.5


def test_keyboard_only_search(page) -> None:
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # larger-text switch
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "question"
    page.keyboard.type("护理补贴")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('status').textContent.includes('查询完成')")
    assert page.locator("#results li").count() > 0


def test_empty_question_is_explained_in_words(page) -> None:
    page.click("#search-button")
    status = page.inner_text("#status")
    assert status.startswith("⚠") and "输入" in status  # a symbol and words, not just a colour


CONTRAST_JS = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126*r + 0.7152*g + 0.0722*b; };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      if (!c.startsWith('rgba') || !c.endsWith(', 0)')) return c; } return 'rgb(255, 255, 255)'; };
  const out = [];
  for (const el of document.querySelectorAll('h1, h2, h3, p, label, button, li, select, input, .citation, .hint')) {
    if (!el.offsetParent || !el.textContent.trim() && el.tagName !== 'INPUT') continue;
    const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    out.push({tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 20),
              ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out;
}"""


def test_elderly_friendly_sizes_contrast_and_larger_text(page, artifacts_dir: Path) -> None:
    search(page, "高龄津贴", region="万州")
    page.fill("#question", "高龄津贴")
    page.click("#compare-button")
    page.wait_for_selector(".compare-card")
    assert float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2]) >= 18
    low = [item for item in page.evaluate(CONTRAST_JS) if item["ratio"] < 4.5]
    assert low == []
    for target in page.locator("button:visible, input:visible, select:visible").all():
        box = target.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, target.evaluate("e => e.outerHTML.slice(0, 80)")
    page.screenshot(path=str(artifacts_dir / "staff-page.png"), full_page=True)
    page.click("#text-size")
    assert page.get_attribute("#text-size", "aria-pressed") == "true"
    assert float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2]) >= 24
    page.screenshot(path=str(artifacts_dir / "staff-page-large-text.png"), full_page=False)
    page.reload()
    page.wait_for_function("document.querySelectorAll('#region option').length > 1")
    assert page.get_attribute("#text-size", "aria-pressed") == "true"  # the choice is remembered


def test_page_asks_for_the_key_when_the_server_has_one(browser, http_settings: BotSettings,
                                                       embedded: EmbeddedBackend, speaker: Speaker) -> None:
    keyed = create_app(replace(http_settings, api_key="page-key-1"), backend=embedded, speaker=speaker)
    with serve(keyed) as url:
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(url + "/")
        page.wait_for_selector("#key-box:not([hidden])")
        assert "密钥" in page.inner_text("#status")
        page.fill("#api-key", "page-key-1")
        page.click("#key-save")
        page.wait_for_function("document.querySelectorAll('#region option').length > 1")
        search(page, "养老服务站")
        assert page.locator("#results li").count() > 0
        context.close()


def test_narrow_screen_needs_no_sideways_scrolling(browser, base_url: str, artifacts_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(base_url + "/")
    page.wait_for_function("document.querySelectorAll('#region option').length > 1")
    search(page, "日间照料中心", region="巫溪")
    page.click("#compare-button")
    page.wait_for_selector(".compare-card")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir / "staff-page-narrow.png"), full_page=False)
    context.close()
