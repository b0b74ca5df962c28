// Staff lookup page: ask, search with filters, compare regions, open passages, play the spoken answer.
// Plain browser JavaScript, no build step, no external resources; everything is rendered with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "elderbot-api-key";
const SIZE_STORAGE = "elderbot-large-text";
const conversation = "staff:" + Math.random().toString(36).slice(2, 12);
let lastReply = null;
let retryAfterKey = null;

class ApiError extends Error {}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError("连不上服务器，请检查网络后再试。");
  }
  if (response.status === 401) {
    $("key-box").hidden = false;
    throw new ApiError("需要访问密钥：请在下面输入密钥后点“保存并重试”。");
  }
  if (!response.ok) {
    let detail = "服务暂时出错（" + response.status + "），请稍后再试。";
    try { detail = (await response.json()).detail || detail; } catch (err) { /* not JSON */ }
    throw new ApiError(detail);
  }
  return response;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = isError ? "⚠ 出错：" + text : text;
  status.classList.toggle("error", Boolean(isError));
}

function setBusy(busy) {
  for (const id of ["search-button", "compare-button"]) $(id).disabled = busy;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function citationOf(source) {
  return source.section ? "《" + source.title + "》 · " + source.section : "《" + source.title + "》";
}

const shortNames = new Map();  // 重庆市涪陵区 → 涪陵, filled from /v1/regions

function shortOf(region) {
  return shortNames.get(region) || region;
}

function openPassage(source, opener) {
  $("passage-title").textContent = "原文 · " + shortOf(source.region);
  $("passage-citation").textContent = citationOf(source);
  $("passage-text").textContent = source.text;
  const dialog = $("passage-dialog");
  dialog.returnFocusTo = opener || null;
  dialog.showModal();
  $("passage-text").focus();
}

function passageButton(source, label) {
  const button = el("button", "btn btn-secondary", label);
  button.type = "button";
  button.addEventListener("click", () => openPassage(source, button));
  return button;
}

function currentQuery() {
  const question = $("question").value.trim();
  if (!question) {
    setStatus("请先在“想查什么？”里输入问题或关键词。", true);
    $("question").focus();
    return null;
  }
  return question;
}

function renderReply(reply) {
  lastReply = reply;
  $("answer-panel").hidden = false;
  $("answer-text").textContent = reply.answer;
  const first = reply.sources[0];
  // the core's answer usually ends with its own 出处 line; add one only when it does not
  $("answer-citation").textContent = first && !reply.answer.includes(first.title) ? citationOf(first) : "";
  const sourceButton = $("answer-source");
  sourceButton.hidden = !first;
  sourceButton.onclick = first ? () => openPassage(first, sourceButton) : null;
  const audio = $("answer-audio");
  audio.hidden = true;
  audio.removeAttribute("src");
  const list = $("options-list");
  list.replaceChildren();
  for (const option of reply.options) {
    const button = el("button", "btn btn-secondary", option);
    button.type = "button";
    button.addEventListener("click", () => askOnly(option));
    list.append(button);
  }
  $("answer-options").hidden = reply.options.length === 0;
}

function renderResults(sources) {
  const list = $("results");
  list.replaceChildren();
  $("results-panel").hidden = false;
  if (sources.length === 0) {
    list.append(el("li", "result none-found", "没有找到相关条文。可以换个说法，或去掉地区、主题的限制。"));
    return;
  }
  sources.forEach((source, i) => {
    const item = el("li", "result");
    const head = el("div", "result-head");
    head.append(el("span", "result-region", (i + 1) + ". " + shortOf(source.region)), el("span", "citation", citationOf(source)));
    const snippet = source.text.length > 90 ? source.text.slice(0, 90) + "……" : source.text;
    item.append(head, el("p", "result-snippet", snippet), passageButton(source, "查看全文"));
    list.append(item);
  });
}

function renderCompare(rows) {
  const grid = $("compare-grid");
  grid.replaceChildren();
  $("compare-panel").hidden = false;
  for (const row of rows) {
    const card = el("article", "compare-card");
    card.append(el("h3", null, row.short_region), el("p", "hint", row.region));
    if (row.source) {
      card.append(el("p", "compare-answer", row.sentence || row.source.text), el("p", "citation", row.citation),
                  passageButton(row.source, "查看全文"));
    } else {
      card.append(el("p", "none-found", "该地规划没有写到这方面内容。可咨询当地民政局或拨打 12345。"));
    }
    grid.append(card);
  }
}

function filters() {
  return { region: $("region").value, topic: $("topic").value };
}

async function askOnly(question) {
  setBusy(true);
  setStatus("正在查询……");
  try {
    const { region } = filters();
    const body = { question, conversation, staff: true };
    if (region) body.region = region;
    renderReply(await (await api("POST", "/v1/ask", body)).json());
    setStatus("已回答。");
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    setBusy(false);
  }
}

async function onSearch(event) {
  event.preventDefault();
  const question = currentQuery();
  if (!question) return;
  retryAfterKey = () => onSearch(new Event("submit"));
  setBusy(true);
  setStatus("正在查询……");
  const { region, topic } = filters();
  const params = new URLSearchParams({ q: question, k: "5" });
  if (region) params.set("region", region);
  if (topic) params.set("topic", topic);
  const body = { question, conversation, staff: true };
  if (region) body.region = region;
  try {
    const [askResponse, searchResponse] = await Promise.all([
      api("POST", "/v1/ask", body), api("GET", "/v1/search?" + params),
    ]);
    renderReply(await askResponse.json());
    const { sources } = await searchResponse.json();
    renderResults(sources);
    setStatus("查询完成：找到 " + sources.length + " 条相关条文。");
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    setBusy(false);
  }
}

async function onCompare() {
  const question = currentQuery();
  if (!question) return;
  retryAfterKey = onCompare;
  setBusy(true);
  setStatus("正在对比各地规划……");
  const params = new URLSearchParams({ q: question });
  if (filters().topic) params.set("topic", filters().topic);
  try {
    const { rows } = await (await api("GET", "/v1/compare?" + params)).json();
    renderCompare(rows);
    const found = rows.filter((row) => row.source).length;
    setStatus("对比完成：" + rows.length + " 个地区中有 " + found + " 个写到了。");
    $("compare-heading").scrollIntoView({ block: "start" });
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    setBusy(false);
  }
}

async function onPlay() {
  if (!lastReply) return;
  const audio = $("answer-audio");
  const format = audio.canPlayType("audio/mpeg") ? "mp3" : "ogg";
  const button = $("play-button");
  button.disabled = true;
  setStatus("正在生成语音……");
  try {
    const response = await api("POST", "/v1/speak", { text: lastReply.speech || lastReply.answer, format });
    const blob = await response.blob();
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(blob);
    audio.hidden = false;
    await audio.play();
    setStatus("正在朗读。可以用下面的播放条暂停或重听。");
  } catch (err) {
    setStatus(err.message || "无法播放声音，请看文字回答。", true);
  } finally {
    button.disabled = false;
  }
}

function applyTextSize(large) {
  document.documentElement.classList.toggle("large-text", large);
  $("text-size").setAttribute("aria-pressed", String(large));
  $("text-size-label").textContent = large ? "恢复字体" : "放大字体";
}

async function loadFilters() {
  try {
    const [{ regions }, { topics }] = await Promise.all([
      api("GET", "/v1/regions").then((r) => r.json()), api("GET", "/v1/topics").then((r) => r.json()),
    ]);
    for (const region of regions) {
      const option = el("option", null, region.short_name + "（" + region.name + "）");
      option.value = region.short_name;
      shortNames.set(region.name, region.short_name);
      $("region").append(option);
    }
    for (const topic of topics) {
      const option = el("option", null, topic.label);
      option.value = topic.name;
      $("topic").append(option);
    }
  } catch (err) {
    retryAfterKey = loadFilters;
    setStatus(err.message, true);
  }
}

function init() {
  applyTextSize(localStorage.getItem(SIZE_STORAGE) === "1");
  $("text-size").addEventListener("click", () => {
    const large = !document.documentElement.classList.contains("large-text");
    localStorage.setItem(SIZE_STORAGE, large ? "1" : "0");
    applyTextSize(large);
  });
  $("search-form").addEventListener("submit", onSearch);
  $("compare-button").addEventListener("click", onCompare);
  $("play-button").addEventListener("click", onPlay);
  $("passage-dialog").addEventListener("close", (event) => {
    const opener = event.target.returnFocusTo;
    if (opener) opener.focus();
  });
  $("key-save").addEventListener("click", () => {
    sessionStorage.setItem(KEY_STORAGE, $("api-key").value.trim());
    $("key-box").hidden = true;
    const retry = retryAfterKey;
    if ($("region").options.length <= 1) loadFilters();
    if (retry && retry !== loadFilters) retry();
  });
  loadFilters();
}

document.addEventListener("DOMContentLoaded", init);
