// The agent's page: polls /api/state and renders it; texts come from /api/text in the chosen
// language, and numbers and times are formatted with Intl for that language (es-PE: decimal comma).
"use strict";
(() => {
  const lang = new URLSearchParams(location.search).get("lang");
  const q = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  let t = {}, locale = "en-GB", decimal = ".", group = ",", pinRequired = false, lastOk = Date.now();
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c != null) e.append(c);
    return e;
  };
  // Measured values keep a fixed number of decimals for their size, so a reading does not jump in width.
  const num = (v) => {
    if (v == null) return "–";
    const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    return format(v, digits);
  };
  const int = (v) => v == null ? "–" : format(v, 0);
  // The separators come from the agent (es-PE: decimal comma, thin-space groups); CLDR's es-PE would write a point.
  function format(v, digits) {
    return new Intl.NumberFormat("en", { minimumFractionDigits: digits, maximumFractionDigits: digits }).formatToParts(v)
      .map((p) => p.type === "decimal" ? decimal : p.type === "group" ? group : p.value).join("");
  }
  const time = (iso) => new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
  const fmt = (key, v) => (t[key] || key).replace("{0}", v);
  const age = (s) => s == null ? (t.never || "never") : s < 120 ? fmt("secondsAgo", int(s)) : s < 7200 ? fmt("minutesAgo", int(s / 60)) : fmt("hoursAgo", int(s / 3600));

  function alarmItem(a) {
    const details = [`${a.severityName} · ${a.equipment} · ${a.channelName} ${num(a.value)} ${a.unit}`,
      `${t.raisedAt} ${time(a.raisedAt)}` + (a.clearedAt ? ` · ${t.clearedAt} ${time(a.clearedAt)}` : "")];
    if (a.acknowledged) details.push(t[a.acknowledgedBy === "page" ? "acknowledgedByPage" : "acknowledgedByButton"]);
    return el("li", { class: `${a.severity}${a.acknowledged ? " acknowledged" : ""}`, "data-alarm": a.id, "data-acknowledged": String(a.acknowledged) },
      el("span", { class: "name" }, a.name), ...details.map((d) => el("small", {}, d)));
  }

  function render(s) {
    $("#device").textContent = `${s.device} · ${s.site}`;
    const active = $("#active ul");
    active.replaceChildren(...(s.alarms.active.length ? s.alarms.active.map(alarmItem) : [el("li", { class: "none" }, t.noActiveAlarms)]));
    $("#ack").hidden = !s.alarms.active.some((a) => !a.acknowledged);
    $("#pin-label").hidden = !pinRequired;
    const recent = $("#recent ul");
    recent.replaceChildren(...(s.alarms.recent.length ? s.alarms.recent.map(alarmItem) : [el("li", { class: "none" }, t.noRecentAlarms)]));

    const link = $("#link");
    link.className = s.link.state;
    link.dataset.state = s.link.state;
    link.textContent = t[{ up: "linkUp", down: "linkDown", never: "linkNever" }[s.link.state]];
    $("#backlog").textContent = int(s.buffer.backlog);
    $("#oldest-unsent").textContent = s.buffer.backlog > 0 ? age(s.buffer.oldestUnsentAgeSeconds) : "–";
    $("#unreceipted").textContent = int(s.buffer.unreceipted);
    $("#oldest-unreceipted").textContent = s.buffer.unreceipted > 0 ? age(s.buffer.oldestUnreceiptedAgeSeconds) : "–";
    $("#last-receipt").textContent = age(s.link.lastReceiptAgeSeconds);
    const clock = $("#clock");
    clock.className = s.clock.trusted ? "trusted" : "untrusted";
    clock.textContent = `${s.clock.trusted ? t.clockOk : t.clockUntrusted} · ${t.clockJumps}: ${int(s.clock.jumps)}`;

    const list = $("#channels .list");
    const groups = new Map();
    for (const c of s.channels) groups.set(c.equipmentName, [...(groups.get(c.equipmentName) || []), c]);
    const rows = [];
    for (const [name, channels] of groups) {
      rows.push(el("h3", {}, name));
      for (const c of channels) {
        const range = c.min != null ? `${t.plausible}: ${int(c.min)}–${int(c.max)} ${c.unit}` : "";
        rows.push(el("div", { class: "row", "data-channel": `${c.equipment}.${c.channel}`, "data-value": String(c.value) },
          el("span", {}, c.name), el("span", { class: "value" }, `${num(c.value)} ${c.unit}`),
          el("small", {}, [range, `${t.updated} ${time(c.at)}`].filter(Boolean).join(" · "))));
      }
    }
    list.replaceChildren(...(rows.length ? rows : [el("p", {}, t.noReadings)]));
    document.body.dataset.ready = "true";
  }

  async function poll() {
    try {
      const r = await fetch(`api/state${q}`, { cache: "no-store" });
      if (r.ok) { render(await r.json()); lastOk = Date.now(); }
    } catch { /* the banner below says the page is stale */ }
    $("#stale").hidden = Date.now() - lastOk < 10000;
  }

  async function acknowledge(ev) {
    ev.preventDefault();
    const r = await fetch(`api/acknowledge${q}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pin: $("#pin").value || null }) });
    const body = await r.json();
    $("#ack-result").textContent = r.ok ? (body.acknowledged.length ? t.acknowledged : t.nothingToAcknowledge) : body.error;
    $("#pin").value = "";
    await poll();
  }

  async function start() {
    const r = await fetch(`api/text${q}`, { cache: "no-store" });
    const body = await r.json();
    ({ texts: t, locale, decimal, group, pinRequired } = body);
    document.documentElement.lang = body.lang;
    document.title = `${t.title} – EdgeTelemetry`;
    for (const e of document.querySelectorAll("[data-text]")) e.textContent = t[e.dataset.text] ?? e.textContent;
    for (const e of document.querySelectorAll("[data-aria]")) e.setAttribute("aria-label", t[e.dataset.aria] ?? e.getAttribute("aria-label"));
    $("#ack").addEventListener("submit", acknowledge);
    await poll();
    setInterval(poll, 2000);
  }
  start();
})();
