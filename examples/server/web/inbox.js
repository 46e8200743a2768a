"use strict";
// Every customer-supplied text is put on the page with textContent: it is
// shown, never interpreted.
const state = { token: sessionStorage.getItem("chatdesk-token") || "", current: null, conversations: [] };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const headers = Object.assign({ "Authorization": "Bearer " + state.token }, options.headers || {});
  const res = await fetch(path, Object.assign({}, options, { headers }));
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) { signOut(); throw new Error("signed out"); }
  return { status: res.status, body };
}

function signOut() {
  sessionStorage.removeItem("chatdesk-token");
  state.token = "";
  $("app").hidden = true;
  $("login").hidden = false;
  $("token").focus();
}

function countdown(iso) {
  const ms = Date.parse(iso) - Date.now();
  if (!(ms > 0)) return "closed";
  const h = Math.floor(ms / 3600000), m = Math.floor((ms % 3600000) / 60000);
  return h + " h " + m + " min left";
}

function renderList() {
  const list = $("list");
  list.replaceChildren();
  for (const c of state.conversations) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("aria-current", String(c.customer === state.current));
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = c.customer;
    const badge = document.createElement("span");
    badge.className = "badge " + (c.window_open ? "open" : "closed");
    badge.textContent = c.window_open ? countdown(c.window_closes_at) : "window closed";
    b.append(who, badge);
    if (c.support) {
      const agent = document.createElement("span");
      agent.className = "agent";
      const where = c.support.agent ? " · " + c.support.agent
        : c.support.status !== "resolved" && c.support.team ? " · queued in " + c.support.team : "";
      agent.textContent = c.support.status + where;
      b.append(agent);
      for (const [metric, clock] of Object.entries(c.support.sla || {})) {
        if (clock.state === "met") continue;
        const sla = document.createElement("span");
        sla.className = "badge sla-" + clock.state;
        sla.textContent = metric.replace("_", " ") + ": " + clock.state + (clock.due ? " (due " + new Date(clock.due).toLocaleTimeString() + ")" : "");
        b.append(sla);
      }
    }
    const last = document.createElement("div");
    last.className = "last";
    last.textContent = c.last_text || "(" + c.type + ")";
    b.append(last);
    b.addEventListener("click", () => open(c.customer));
    li.append(b);
    list.append(li);
  }
}

async function loadList() {
  const { body } = await api("/api/conversations");
  state.conversations = body.conversations || [];
  renderList();
  renderToolbar();
  $("status").textContent = state.conversations.length + " conversations";
}

function renderToolbar() {
  const c = state.conversations.find((x) => x.customer === state.current);
  $("toolbar").hidden = !c;
  if (!c) return;
  $("who").textContent = c.customer;
  $("holder").textContent = c.support ? (c.support.agent ? "held by " + c.support.agent : c.support.status) : "";
  $("take").hidden = !c.support || !$("me").value || c.support.agent === $("me").value;
  $("resolve").hidden = !c.support || c.support.status === "resolved";
}

async function act(path, extra) {
  if (!state.current) return;
  const { status, body } = await api(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ customer: state.current, by: $("me").value || "inbox" }, extra || {})) });
  $("refusal").textContent = status === 200 ? "" : ((body.error && body.error.message) || ("refused (" + status + ")"));
  await loadList();
  await loadTranscript();
}

async function loadAgents() {
  const { body } = await api("/api/agents");
  const select = $("me");
  const chosen = sessionStorage.getItem("chatdesk-agent") || "";
  for (const a of body.agents || []) {
    const option = document.createElement("option");
    option.value = a.id;
    option.textContent = a.name;
    select.append(option);
  }
  select.value = chosen;
}

async function open(customer) {
  state.current = customer;
  $("refusal").textContent = "";
  $("templates").hidden = true;
  $("text").disabled = false;
  $("reply").querySelector("button").disabled = false;
  renderList();
  renderToolbar();
  await loadTranscript();
  $("text").focus();
}

async function loadTranscript() {
  if (!state.current) return;
  const { body } = await api("/api/transcript?customer=" + encodeURIComponent(state.current));
  const ol = $("transcript");
  ol.replaceChildren();
  for (const m of body.messages || []) {
    const li = document.createElement("li");
    li.className = "msg " + m.direction;
    li.textContent = m.text !== undefined ? m.text : "(" + m.type + ")";
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = new Date(m.at).toLocaleString() + (m.status ? " · " + m.status : "");
    li.append(meta);
    ol.append(li);
  }
  ol.scrollTop = ol.scrollHeight;
}

async function send(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.current) return;
  const { status, body } = await api("/api/reply", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ customer: state.current, text }, $("me").value ? { agent: $("me").value } : {})) });
  if (status === 200) {
    $("text").value = "";
    $("refusal").textContent = "";
    await loadTranscript();
  } else {
    $("refusal").textContent = (body.error && body.error.message) || ("not sent (" + status + ")");
    if (body.error && body.error.code === "policy.outside_service_window") await offerTemplates();
  }
}

// Once the window closed, only an approved template may go: offer them, with
// a field for each of their values.
async function offerTemplates() {
  const { body } = await api("/api/templates");
  state.templates = body.templates || [];
  const select = $("template");
  select.replaceChildren();
  state.templates.forEach((t, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = t.name + " (" + t.language + ", " + t.category + ")";
    select.append(option);
  });
  $("templates").hidden = state.templates.length === 0;
  showFields();
  select.focus();
}

function field(group, key, label) {
  const id = "field-" + group + "-" + key;
  const l = document.createElement("label");
  l.htmlFor = id;
  l.textContent = label;
  const input = document.createElement("input");
  input.id = id;
  input.dataset.group = group;
  input.dataset.key = key;
  input.required = true;
  $("fields").append(l, input);
}

function showFields() {
  const t = state.templates[Number($("template").value)];
  $("fields").replaceChildren();
  if (!t) return;
  $("preview").textContent = t.body;
  for (const v of t.header_variables || []) field("header", v, "Header: " + v);
  for (const v of t.variables || []) field("values", v, v);
  for (const b of t.button_variables || []) field("buttons", String(b.index), "Button \u201c" + b.text + "\u201d: " + b.url);
}

async function sendTemplate(event) {
  event.preventDefault();
  const t = state.templates[Number($("template").value)];
  if (!t || !state.current) return;
  const payload = { customer: state.current, business: t.business, name: t.name, language: t.language,
                    values: {}, header: {}, buttons: {} };
  for (const input of $("fields").querySelectorAll("input")) payload[input.dataset.group][input.dataset.key] = input.value;
  const { status, body } = await api("/api/template", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  if (status === 200) {
    $("templates").hidden = true;
    $("refusal").textContent = "";
    await loadTranscript();
  } else {
    $("refusal").textContent = (body.error && body.error.message) || ("not sent (" + status + ")");
  }
}

$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("reply").requestSubmit(); }
});
$("reply").addEventListener("submit", send);
$("template").addEventListener("change", showFields);
$("me").addEventListener("change", () => { sessionStorage.setItem("chatdesk-agent", $("me").value); renderToolbar(); });
$("take").addEventListener("click", () => act("/api/assign", { agent: $("me").value }));
$("resolve").addEventListener("click", () => act("/api/resolve"));
$("survey").addEventListener("click", () => act("/api/survey"));
$("template-form").addEventListener("submit", sendTemplate);
$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("token").value;
  sessionStorage.setItem("chatdesk-token", state.token);
  start();
});

function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  loadAgents().catch(() => {});
  loadList().catch(() => {});
  // Live updates: the server's event stream when it has one, else polling.
  if (window.EventSource && !state.events) {
    state.events = new EventSource("/api/events?token=" + encodeURIComponent(state.token));
    state.events.onmessage = () => { loadList().catch(() => {}); loadTranscript().catch(() => {}); };
  }
  setInterval(() => { renderList(); }, 30000);
}

if (state.token) start(); else signOut();
