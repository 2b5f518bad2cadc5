// The wallboard: the board (GET /v1/board) drawn again whenever /v1/stream says something
// changed (at most a few times a second), every 10 s in any case, times ticking each second.
// Both are read with the session cookie the sign-in link set (no token in this address).
"use strict";
const SIGN_IN = "Sign this screen in: open a wallboard link (pcc-router token board).";
const LABELS = { available: "Available", ringing: "Ringing", talking: "Talking",
                 wrap_up: "Wrap-up", not_available: "Not available", offline: "Offline" };
const KINDS = ["hello", "call", "agent", "presence", "timer", "expired", "decision", "config"];
let board = null, skew = 0, loading = false, again = false, timer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("data-")) node.setAttribute(key, value); else node[key] = value;
  }
  node.append(...children);
  return node;
}

function clockText(seconds) {
  if (seconds == null || !isFinite(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = n => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

function percent(value) { return value == null ? "–" : Math.round(value * 100) + "%"; }
function now() { return Date.now() / 1000 + skew; }

function queueCard(q) {
  const wait = q.longest_wait == null ? null : q.longest_wait + (now() - board.now);
  const slClass = q.service_level == null ? "" : q.service_level >= 0.8 ? "good"
                : q.service_level >= 0.6 ? "warn" : "bad";
  return el("article", { className: "queue", "data-queue": q.id, "data-waiting": q.waiting },
    el("h2", {}, q.id),
    el("div", { className: "big" },
      el("div", {}, el("b", { className: q.waiting ? "warn" : "" }, String(q.waiting)),
         el("small", {}, "waiting")),
      el("div", {}, el("b", { className: "wait " + (wait > 60 ? "bad" : ""), "data-since":
         q.longest_wait == null ? "" : String(board.now - q.longest_wait) }, clockText(wait)),
         el("small", {}, "longest wait"))),
    el("dl", {},
      el("div", {}, el("dt", {}, "service level"),
         el("dd", { className: slClass }, percent(q.service_level))),
      el("div", {}, el("dt", {}, "ASA"), el("dd", {}, q.asa == null ? "–" : Math.round(q.asa) + " s")),
      el("div", {}, el("dt", {}, "answered"), el("dd", {}, String(q.answered))),
      el("div", {}, el("dt", {}, "abandoned"),
         el("dd", { className: q.abandoned ? "bad" : "" }, String(q.abandoned)))));
}

function agentTile(a) {
  return el("article", { className: "agent", "data-agent": a.stringee_user_id, "data-state": a.state,
                         style: `--state: var(--${a.state})` },
    el("span", { className: "time", "data-since": String(a.since) }, clockText(now() - a.since)),
    el("div", { className: "name", title: a.stringee_user_id }, a.name),
    el("div", { className: "state" }, LABELS[a.state] || a.state),
    el("div", { className: "reason" }, a.state === "talking" || a.state === "available" ? ""
                                       : (a.reason || "")));
}

function render() {
  const order = ["ringing", "available", "talking", "wrap_up", "not_available", "offline"];
  const agents = [...board.agents].sort((x, y) =>
    order.indexOf(x.state) - order.indexOf(y.state) || x.since - y.since);
  document.getElementById("queues").replaceChildren(...board.queues.map(queueCard));
  document.getElementById("agents").replaceChildren(...agents.map(agentTile));
  const counts = {};
  for (const a of board.agents) counts[a.state] = (counts[a.state] || 0) + 1;
  document.getElementById("summary").replaceChildren(...["available", "ringing", "talking",
    "wrap_up"].map(s => el("span", { "data-count": s }, el("b", {}, String(counts[s] || 0)),
    " " + LABELS[s].toLowerCase())));
  tick();
}

function tick() {
  document.getElementById("clock").textContent =
    new Date(now() * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit",
                                                     second: "2-digit", hour12: false });
  for (const node of document.querySelectorAll("[data-since]")) {
    if (node.dataset.since) node.textContent = clockText(now() - Number(node.dataset.since));
  }
}

async function load() {
  if (loading) { again = true; return; }
  loading = true;
  try {
    const response = await fetch("/v1/board", { cache: "no-store", credentials: "same-origin" });
    const problem = document.getElementById("problem");
    if (!response.ok) {
      problem.hidden = false;
      problem.textContent = response.status === 401
        ? SIGN_IN : "The controller answered " + response.status + ".";
      return;
    }
    problem.hidden = true;
    board = await response.json();
    skew = board.now - Date.now() / 1000;
    render();
  } catch (error) {
    document.getElementById("link").dataset.state = "lost";
  } finally {
    loading = false;
    if (again) { again = false; soon(); }
  }
}

function soon() {
  if (timer === null) timer = setTimeout(() => { timer = null; load(); }, 250);
}

function connect() {
  const link = document.getElementById("link");
  const source = new EventSource("/v1/stream");
  source.onopen = () => { link.dataset.state = "live"; link.textContent = "live"; };
  source.onerror = () => {
    link.dataset.state = "lost"; link.textContent = "reconnecting"; load();
  };
  source.addEventListener("expired", () => {
    source.close();
    link.dataset.state = "lost"; link.textContent = "signed out";
    const problem = document.getElementById("problem");
    problem.hidden = false;
    problem.textContent = SIGN_IN;
  });
  for (const kind of KINDS) source.addEventListener(kind, soon);
}

load();
connect();
setInterval(load, 10000);
setInterval(() => { if (board) tick(); }, 1000);
