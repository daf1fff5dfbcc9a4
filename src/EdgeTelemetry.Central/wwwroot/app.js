// EdgeTelemetry built-in page: fleet, live charts of the last hour, mercury vapour against its
// reference values, recent batches. Plain browser JavaScript, no build step; charts by uPlot
// (vendor/uplot, MIT). Reads the HTTP API with a role key sent as X-Api-Key.
"use strict";

(() => {
  const REFRESH_MS = 10_000;
  const KEY_STORAGE = "edgetelemetry.apiKey";
  const SITE_STORAGE = "edgetelemetry.site";
  const HOUR_S = 3600;
  const HG_FLOOR = 0.01; // µg/m³: the log-scale chart draws readings below this at the floor

  // Which channels a station's chart shows, by measurement (docs/data-model.md). Others: the first two.
  const PRIMARY = {
    centrifuge: ["bowl_speed", "fluidisation_pressure"],
    shaking_table: ["stroke_rate", "wash_water_flow"],
    sluice: ["water_flow", "feed_rate"],
    environment: ["temperature", "humidity"],
    weighing: ["mass"],
  };
  const MERCURY = "mercury_vapour";
  const SERIES_STYLE = [
    { stroke: "#003f9e", width: 2.5, dash: undefined, css: "" },
    { stroke: "#b34700", width: 2.5, dash: [8, 5], css: "dashed" },
  ];
  const MONITOR_STYLE = [
    { stroke: "#0b0b0b", width: 2.5, dash: undefined, css: "" },
    { stroke: "#6a1b9a", width: 2.5, dash: [8, 5], css: "dashed" },
    { stroke: "#00695c", width: 2.5, dash: [2, 4], css: "dotted" },
  ];
  const REFERENCE_STYLE = {
    atsdr_mrl: { stroke: "#00695c", dash: [2, 4], css: "dotted" },
    who_guideline: { stroke: "#0a6b2d", dash: [10, 6], css: "dashed" },
    site_action_level: { stroke: "#b34700", dash: [14, 4, 3, 4], css: "dashed" },
    acgih_tlv: { stroke: "#b00020", dash: undefined, css: "" },
  };

  const $ = (id) => document.getElementById(id);
  // Texts, display names and number separators in the page's language, from /page-text (resx on the server).
  const L = { texts: {}, alarms: {}, channels: {}, equipment: {}, recovery: {}, locale: "en-GB", decimal: ".", group: "," };
  const tr = (key, ...args) => (L.texts[key] ?? key).replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ""));
  // Ids stay in the data; people read their names (DomainText.resx). An id without one shows readably.
  const named = (names, id) => names[id] || String(id).replaceAll("_", " ");
  const alarmName = (rule) => named(L.alarms, rule);
  const state = {
    key: null,
    role: null,
    site: null,
    timer: null,
    busy: false,
    lastSuccess: null,
    refreshes: 0,
    charts: new Map(), // id -> { plot, signature, observer }
    stopped: false,
  };

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, path, message) {
      super(message || `${path} answered ${status}`);
      this.status = status;
      this.path = path;
    }
  }

  async function get(path) {
    let response;
    // The page's language for the API's texts too (reference names, batch warnings), whatever the browser sends.
    if (L.lang) path += `${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(L.lang)}`;
    try {
      response = await fetch(path, { headers: { "X-Api-Key": state.key, Accept: "application/json" }, cache: "no-store" });
    } catch (e) {
      throw new ApiError(0, path, "the server cannot be reached");
    }
    if (!response.ok) {
      let detail = "";
      try { detail = (await response.text()).slice(0, 200); } catch { /* ignore */ }
      throw new ApiError(response.status, path, detail);
    }
    return response.json();
  }

  const query = (params) => new URLSearchParams(Object.entries(params).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => [k, x]) : v == null ? [] : [[k, String(v)]])).toString();

  // ---------- small helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "style") Object.assign(node.style, v); // CSSOM, which the page's CSP allows (style attributes it blocks)
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const pick = (o, ...names) => {
    for (const n of names) if (o && o[n] !== undefined && o[n] !== null) return o[n];
    return undefined;
  };
  const toDate = (v) => {
    if (v == null || v === "") return null;
    if (typeof v === "number") return new Date(v > 1e15 ? v / 1e6 : v > 1e11 ? v : v * 1000);
    const d = new Date(v);
    return isNaN(d) ? null : d;
  };
  const clock = (d) => d ? d.toLocaleTimeString(L.locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "—";
  const dateTime = (d) => d ? d.toLocaleString(L.locale, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "—";
  function ago(d) {
    if (!d) return tr("never");
    const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
    if (s < 60) return tr("secondsAgo", s);
    if (s < 3600) return tr("minutesAgo", Math.round(s / 60));
    if (s < 172800) return tr("hoursAgo", Math.round(s / 3600));
    return tr("daysAgo", Math.round(s / 86400));
  }
  // The separators come from the server (es-PE: decimal comma); CLDR's es-PE would write a point.
  const fmt = (v, digits = 1) => (v == null || !isFinite(v)) ? "—" : new Intl.NumberFormat("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 })
    .formatToParts(Number(v)).map((p) => p.type === "decimal" ? L.decimal : p.type === "group" ? L.group : p.value).join("");
  const unitLabel = (u) => ({ "ug/m3": "µg/m³", "ng/m3": "ng/m³", degC: "°C" }[u] || u || "");

  // ---------- key handling ----------
  function readKey() {
    const fromUrl = new URLSearchParams(location.search).get("key");
    if (fromUrl) {
      // Kiosk use: /?key=… pre-fills the key; it is also remembered like a typed one.
      try { localStorage.setItem(KEY_STORAGE, fromUrl); } catch { /* storage may be off */ }
      return fromUrl;
    }
    try { return localStorage.getItem(KEY_STORAGE); } catch { return null; }
  }

  function showKeyPanel(message, isError) {
    stopTimer();
    $("key-panel").hidden = false;
    $("key-panel").classList.toggle("error", !!isError);
    if (message) $("key-message").textContent = message;
    $("key-input").value = state.key || "";
    $("content").hidden = !state.lastSuccess;
    setStatus(isError ? tr("keyNeeded") : tr("waitingForKey"), isError);
    $("key-input").focus();
  }

  function hideKeyPanel() { $("key-panel").hidden = true; }

  function useKey(key) {
    state.key = key.trim();
    try { localStorage.setItem(KEY_STORAGE, state.key); } catch { /* storage may be off */ }
    hideKeyPanel();
    state.stopped = false;
    refresh();
  }

  // ---------- status line ----------
  function setStatus(text, stale) {
    $("status").textContent = text;
    $("status").classList.toggle("stale", !!stale);
  }

  // ---------- fleet ----------
  function normaliseDevice(d) {
    const online = pick(d, "online", "isOnline");
    const stateText = String(pick(d, "state", "status") ?? (online === true ? "online" : online === false ? "offline" : "unknown")).toLowerCase();
    const alarms = pick(d, "openAlarms", "open_alarms", "alarms") || [];
    const health = pick(d, "health") || {};
    const clockInfo = pick(d, "clockState", "clock", "clock_state");
    return {
      site: pick(d, "site"),
      device: pick(d, "device", "id", "name"),
      equipment: pick(d, "equipment"),
      state: online === true ? "online" : online === false ? "offline" : stateText === "online" || stateText === "offline" ? stateText : "unknown",
      lastSeen: toDate(pick(d, "lastSeen", "last_seen", "lastSeenAt", "lastSeenUtc")),
      agent: pick(d, "agentVersion", "agent_version", "agent"),
      backlog: pick(d, "backlog") ?? pick(health, "backlog"),
      backlogAge: pick(d, "oldestUnsentAgeSeconds") ?? pick(health, "oldestUnsentAgeSeconds"),
      clock: clockInfo,
      alarms: (Array.isArray(alarms) ? alarms : []).map((a) => typeof a === "string" ? { rule: a } : {
        rule: pick(a, "rule", "id", "name"),
        equipment: pick(a, "equipment"),
        since: toDate(pick(a, "since", "raisedAt", "raised_at", "time")),
        value: pick(a, "value"),
      }),
    };
  }

  function clockText(c) {
    if (c == null) return "—";
    if (typeof c === "string") return { trusted: tr("clockTrusted"), untrusted: tr("clockNotTrusted"), unknown: tr("noReport") }[c] || c;
    if (typeof c === "boolean") return c ? tr("clockOk") : tr("clockNotTrusted");
    const ok = pick(c, "ok", "clockOk", "trusted", "synchronised", "synchronized");
    const jumps = pick(c, "jumps", "clockJumps");
    const st = pick(c, "state", "status");
    if (st) return String(st);
    if (ok === undefined) return "—";
    return (ok ? tr("clockOk") : tr("clockNotTrusted")) + (jumps ? " " + tr("clockJumps", jumps) : "");
  }

  function backlogText(d) {
    if (d.backlog == null) return tr("noReport");
    if (d.backlog === 0) return tr("backlogNone");
    const age = d.backlogAge ? tr("backlogOldest", Math.round(d.backlogAge / 60)) : "";
    return tr("backlogUnsent", fmt(d.backlog, 0)) + age;
  }

  function renderFleet(devices) {
    const list = $("fleet");
    list.replaceChildren(...devices.map((d) => {
      const alarmItems = d.alarms.map((a) => el("li", { "data-rule": a.rule }, alarmName(a.rule),
        a.equipment ? ` — ${a.equipment}` : "", a.since ? tr("since", clock(a.since)) : ""));
      return el("li", {
        class: `card device ${d.state}${d.alarms.length ? " alarm" : ""}`,
        "data-device": d.device, "data-site": d.site, "data-state": d.state,
      },
      el("div", { class: "device-head" },
        el("div", {},
          el("p", { class: "device-name" }, d.device),
          d.equipment ? el("span", { class: "unit" }, d.equipment) : null),
        el("span", { class: `badge ${d.state}` }, d.state === "unknown" ? tr("noStatus") : tr(`state.${d.state}`))),
      el("dl", { class: "facts" },
        el("dt", {}, tr("lastSeen")), el("dd", { title: d.lastSeen ? d.lastSeen.toString() : "" }, ago(d.lastSeen)),
        el("dt", {}, tr("agent")), el("dd", {}, d.agent ?? "—"),
        el("dt", {}, tr("backlog")), el("dd", {}, backlogText(d)),
        el("dt", {}, tr("clock")), el("dd", {}, clockText(d.clock))),
      d.alarms.length
        ? el("ul", { class: "alarms", "aria-label": tr("openAlarms") }, alarmItems)
        : el("p", { class: "no-alarms" }, tr("noOpenAlarms")));
    }));
    $("fleet-empty").hidden = devices.length > 0;
  }

  // ---------- charts ----------
  function chartSize(container) {
    const width = Math.max(200, Math.floor(container.clientWidth));
    const height = window.innerWidth < 640 ? 210 : 260;
    return { width, height };
  }

  function ensureChart(id, container, signature, makeOptions, data) {
    let entry = state.charts.get(id);
    if (entry && entry.signature !== signature) {
      entry.observer.disconnect();
      entry.plot.destroy();
      state.charts.delete(id);
      entry = null;
    }
    if (!entry) {
      container.replaceChildren();
      const plot = new uPlot({ ...makeOptions(), ...chartSize(container) }, data, container);
      const observer = new ResizeObserver(() => {
        const size = chartSize(container);
        if (size.width !== plot.width || size.height !== plot.height) plot.setSize(size);
      });
      observer.observe(container);
      entry = { plot, signature, observer };
      state.charts.set(id, entry);
    } else {
      entry.plot.setData(data);
    }
    return entry.plot;
  }

  const hhmm = (secs) => new Date(secs * 1000).toLocaleTimeString(L.locale, { hour: "2-digit", minute: "2-digit", hour12: false });
  const timeAxis = () => ({
    stroke: "#0b0b0b", grid: { stroke: "#d0d0d0", width: 1 }, ticks: { stroke: "#8a8a8a" },
    font: "13px system-ui, sans-serif", space: 60, size: 36,
    values: (u, splits) => splits.map(hhmm),
  });

  function stationChartOptions(fields) {
    const scales = { x: { time: true } };
    const axes = [timeAxis()];
    const series = [{}];
    fields.forEach((f, i) => {
      const scale = `s${i}`;
      scales[scale] = { auto: true };
      axes.push({
        scale, side: i === 0 ? 3 : 1, stroke: SERIES_STYLE[i].stroke, size: 52,
        grid: { show: i === 0, stroke: "#d0d0d0", width: 1 }, font: "13px system-ui, sans-serif",
        values: (u, splits) => splits.map((v) => fmt(v, 2)),
      });
      series.push({
        label: named(L.channels, f.name), scale, stroke: SERIES_STYLE[i].stroke, width: SERIES_STYLE[i].width, dash: SERIES_STYLE[i].dash,
        points: { show: false }, spanGaps: false,
      });
    });
    return { scales, axes, series, legend: { show: false }, cursor: { drag: { x: false, y: false } } };
  }

  /** Horizontal reference lines with their labels, drawn after the series. */
  function referenceLines(references) {
    return {
      hooks: {
        draw: [(u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const px = devicePixelRatio || 1;
          ctx.save();
          ctx.font = `${Math.round(12 * px)}px system-ui, sans-serif`;
          ctx.textBaseline = "bottom";
          for (const r of references) {
            const y = Math.round(u.valToPos(r.value, "y", true));
            if (y < top || y > top + height) continue;
            const style = REFERENCE_STYLE[r.id] || { stroke: "#444", dash: [6, 4] };
            ctx.strokeStyle = style.stroke;
            ctx.lineWidth = 2 * px;
            ctx.setLineDash((style.dash || []).map((d) => d * px));
            ctx.beginPath();
            ctx.moveTo(left, y);
            ctx.lineTo(left + width, y);
            ctx.stroke();
            ctx.setLineDash([]);
            const label = `${r.short} ${fmt(r.value, 2)}`;
            const tw = ctx.measureText(label).width;
            ctx.fillStyle = "rgba(255,255,255,0.85)";
            ctx.fillRect(left + width - tw - 6 * px, y - 15 * px, tw + 4 * px, 14 * px);
            ctx.fillStyle = style.stroke;
            ctx.fillText(label, left + width - tw - 4 * px, y - 2 * px);
          }
          ctx.restore();
        }],
      },
    };
  }

  function mercuryChartOptions(monitors, references) {
    const top = Math.max(...references.map((r) => r.value));
    return {
      scales: {
        x: { time: true },
        y: {
          distr: 3, log: 10,
          range: (u, min, max) => [Math.min(0.05, Math.max(HG_FLOOR, min || HG_FLOOR)), Math.max(top * 2, (max || 0) * 1.5)],
        },
      },
      axes: [timeAxis(), {
        stroke: "#0b0b0b", size: 52, font: "13px system-ui, sans-serif",
        grid: { stroke: "#d0d0d0", width: 1 },
        // Decades only: 0.01, 0.1, 1, 10, 100 µg/m³.
        splits: (u, axis, min, max) => {
          const out = [];
          for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
            const v = 10 ** e;
            if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
          }
          return out;
        },
        values: (u, splits) => splits.map((v) => fmt(v, 2)),
      }],
      series: [{}, ...monitors.map((m, i) => ({
        label: m.device, stroke: MONITOR_STYLE[i % MONITOR_STYLE.length].stroke,
        width: MONITOR_STYLE[i % MONITOR_STYLE.length].width, dash: MONITOR_STYLE[i % MONITOR_STYLE.length].dash,
        points: { show: false }, spanGaps: false,
      }))],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      plugins: [referenceLines(references)],
    };
  }

  const lastValue = (values) => {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return values[i];
    return null;
  };

  function renderStations(site, stations, seriesByKey) {
    const box = $("stations");
    const shown = stations.filter((s) => s.measurement !== MERCURY);
    const wanted = new Set();
    for (const s of shown) {
      const id = `station-${s.device}-${s.measurement}`;
      wanted.add(id);
      const result = seriesByKey.get(`${s.device}/${s.measurement}`);
      if (!result) continue;
      let card = box.querySelector(`[data-chart="${CSS.escape(id)}"]`);
      if (!card) {
        card = el("article", { class: "card station", "data-chart": id, "data-device": s.device },
          el("h3", {}, s.device, " ", el("small", {}, `${s.equipment || ""} · ${named(L.equipment, s.measurement)}`)),
          el("div", { class: "chart" }),
          el("ul", { class: "legend" }));
        box.append(card);
      }
      const fields = result.fields;
      const data = [result.time, ...fields.map((f) => f.values)];
      ensureChart(id, card.querySelector(".chart"), `${site}|${fields.map((f) => f.name).join(",")}`,
        () => stationChartOptions(fields), data);
      card.querySelector(".legend").replaceChildren(...fields.map((f, i) => el("li", {},
        el("span", { class: `swatch ${SERIES_STYLE[i].css}`, style: { color: SERIES_STYLE[i].stroke }, "aria-hidden": "true" }),
        named(L.channels, f.name), " ",
        el("span", { class: "latest" }, fmt(lastValue(f.values), 2)), " ",
        el("span", { class: "unit" }, unitLabel(f.unit)))));
    }
    for (const card of [...box.children]) {
      const id = card.getAttribute("data-chart");
      if (!wanted.has(id)) {
        const entry = state.charts.get(id);
        if (entry) { entry.observer.disconnect(); entry.plot.destroy(); state.charts.delete(id); }
        card.remove();
      }
    }
    $("stations-empty").hidden = shown.length > 0;
  }

  function renderMercury(site, monitors, seriesByKey, references) {
    const id = "mercury";
    const results = monitors.map((m) => seriesByKey.get(`${m.device}/${m.measurement}`)).filter(Boolean);
    $("hg-empty").hidden = results.length > 0;
    $("hg-chart").hidden = results.length === 0;
    // One shared time axis: every monitor's series is bucketed on the same grid by the API.
    const time = results.length ? results[0].time : [];
    const data = [time, ...results.map((r) => {
      const values = r.fields[0]?.values || [];
      return time.map((_, i) => values[i] == null ? null : Math.max(HG_FLOOR, values[i]));
    })];
    if (results.length) {
      ensureChart(id, $("hg-chart"), `${site}|${monitors.map((m) => m.device).join(",")}|${references.map((r) => `${r.id}=${r.value}`).join(",")}`,
        () => mercuryChartOptions(monitors, references), data);
    }
    $("hg-legend").replaceChildren(
      ...monitors.map((m, i) => {
        const r = seriesByKey.get(`${m.device}/${m.measurement}`);
        const latest = r ? lastValue(r.fields[0]?.values || []) : null;
        const style = MONITOR_STYLE[i % MONITOR_STYLE.length];
        return el("li", { "data-monitor": m.device },
          el("span", { class: `swatch ${style.css}`, style: { color: style.stroke }, "aria-hidden": "true" }),
          `${m.device} (${m.equipment || tr("monitor")}) `, el("span", { class: "latest" }, fmt(latest, 3)), " ", el("span", { class: "unit" }, "µg/m³"));
      }),
      ...references.map((r) => {
        const style = REFERENCE_STYLE[r.id] || { stroke: "#444", css: "dashed" };
        return el("li", { "data-reference": r.id, "data-value": r.value, title: r.basis || "" },
          el("span", { class: `swatch ${style.css}`, style: { color: style.stroke }, "aria-hidden": "true" }),
          `${r.label} `, el("span", { class: "latest" }, fmt(r.value, 2)), " ", el("span", { class: "unit" }, "µg/m³"));
      }));
  }

  // ---------- batches ----------
  // GET /api/batches answers { batches: [{ id, batch: { equipment, start, end, feedMassKg, recovery: { recoveryPct, method, massPullPct } }, warnings }] }.
  function normaliseBatch(view) {
    const b = pick(view, "batch") || view;
    const r = pick(b, "recovery") || b;
    return {
      id: pick(view, "id", "batchId", "batch_id"),
      equipment: pick(b, "equipment"),
      start: toDate(pick(b, "start", "time")),
      end: toDate(pick(b, "end")),
      feedKg: pick(b, "feedMassKg", "feed_mass_kg"),
      recovery: pick(r, "recoveryPct", "recovery_pct"),
      method: pick(r, "method", "recoveryMethod", "recovery_method"),
      massPull: pick(r, "massPullPct", "mass_pull_pct"),
      warnings: pick(view, "warnings") || [],
    };
  }

  function renderBatches(batches) {
    const rows = batches
      .sort((a, b) => (b.end || b.start || 0) - (a.end || a.start || 0))
      .slice(0, 12)
      .map((b) => el("tr", { "data-batch": b.id },
        el("td", { "data-label": tr("colEquipment") }, b.equipment ?? "—"),
        el("td", { "data-label": tr("colStarted"), title: b.id ?? "" }, dateTime(b.start)),
        el("td", { "data-label": tr("colEnded") }, dateTime(b.end || b.start)),
        el("td", { "data-label": tr("colFeed"), class: "num" }, b.feedKg == null ? "—" : `${fmt(b.feedKg, 0)} kg`),
        el("td", { "data-label": tr("colRecovery"), class: "num" }, el("div", {},
          el("span", { class: "recovery" }, b.recovery == null ? "—" : `${fmt(b.recovery, 1)} %`),
          b.method ? el("span", { class: "method" }, named(L.recovery, b.method)) : null,
          b.warnings.length ? el("span", { class: "warning", title: b.warnings.join("; ") }, tr("checkAssays")) : null)),
        el("td", { "data-label": tr("colMassPull"), class: "num" }, b.massPull == null ? "—" : `${fmt(b.massPull, 2)} %`)));
    $("batches").querySelector("tbody").replaceChildren(...rows);
    $("batches").hidden = rows.length === 0;
    $("batches-empty").hidden = rows.length > 0;
    $("batches-empty").textContent = tr("noBatches");
  }

  function renderBatchesNotAllowed(role) {
    $("batches").hidden = true;
    $("batches").querySelector("tbody").replaceChildren();
    const note = $("batches-empty");
    note.hidden = false;
    note.textContent = tr("batchesNeedRole", role || tr("unknownRole"));
  }

  // ---------- refresh loop ----------
  function renderSites(sites) {
    const select = $("site");
    const current = [...select.options].map((o) => o.value).join(",");
    if (current !== sites.join(",")) select.replaceChildren(...sites.map((s) => el("option", { value: s }, s)));
    select.value = state.site;
    $("site-pick").hidden = sites.length < 2;
  }

  function chooseSite(sites) {
    if (state.site && sites.includes(state.site)) return state.site;
    let wanted = new URLSearchParams(location.search).get("site");
    if (!wanted) { try { wanted = localStorage.getItem(SITE_STORAGE); } catch { /* ignore */ } }
    return sites.includes(wanted) ? wanted : sites[0] ?? null;
  }

  async function loadSeries(site, station, fields, from) {
    const r = await get(`/api/series?${query({ site, device: station.device, measurement: station.measurement, fields: fields.join(","), from, every: "30s" })}`);
    return { key: `${station.device}/${station.measurement}`, result: r };
  }

  async function refresh() {
    if (state.busy || state.stopped) return;
    if (!state.key) { showKeyPanel(null, false); return; }
    state.busy = true;
    stopTimer();
    try {
      // Who the key is, and what it may read: an operator key sees the fleet and the charts,
      // batch results need technician or above (docs/web-page.md).
      const me = await get("/api/me");
      const may = me.policies || {};
      if (!may["fleet:read"]) throw new ApiError(403, "/api/me");
      state.role = me.role;

      const rawDevices = await get("/api/devices");
      const devices = (Array.isArray(rawDevices) ? rawDevices : pick(rawDevices, "devices", "items") || []).map(normaliseDevice);
      const sites = [...new Set(devices.map((d) => d.site).filter(Boolean))].sort();
      state.site = chooseSite(sites);
      renderSites(sites);
      const site = state.site;
      renderFleet(devices.filter((d) => !site || d.site === site));

      if (site) {
        const now = new Date();
        const from = new Date(now.getTime() - HOUR_S * 1000).toISOString();
        const [stationsRaw, references, batchesRaw] = await Promise.all([
          get(`/api/stations?${query({ site })}`),
          get(`/api/mercury/reference-values?${query({ site })}`),
          may["reports:read"]
            ? get(`/api/batches?${query({ site, from: new Date(now.getTime() - 24 * HOUR_S * 1000).toISOString(), to: now.toISOString() })}`)
            : Promise.resolve(null),
        ]);
        const stations = Array.isArray(stationsRaw) ? stationsRaw : stationsRaw.stations || [];
        const loads = stations.map((s) => {
          const known = (s.channels || []).map((c) => c.field);
          const fields = s.measurement === MERCURY ? ["hg"]
            : (PRIMARY[s.measurement] || known).filter((f) => known.length === 0 || known.includes(f)).slice(0, 2);
          return fields.length ? loadSeries(site, s, fields, from) : null;
        }).filter(Boolean);
        const seriesByKey = new Map((await Promise.all(loads)).map((x) => [x.key, x.result]));
        $("content").hidden = false;
        renderMercury(site, stations.filter((s) => s.measurement === MERCURY), seriesByKey,
          (Array.isArray(references) ? references : references.references || [])
            .map((r) => ({ id: r.id, label: pick(r, "name", "label") || r.id, short: L.texts[`refShort.${r.id}`] || pick(r, "name") || r.id,
              value: Number(pick(r, "ugM3", "value")), basis: pick(r, "basis") }))
            .filter((r) => isFinite(r.value) && r.value > 0)
            .sort((a, b) => a.value - b.value));
        renderStations(site, stations, seriesByKey);
        if (batchesRaw === null) renderBatchesNotAllowed(me.role);
        else renderBatches((Array.isArray(batchesRaw) ? batchesRaw : pick(batchesRaw, "batches", "items") || []).map(normaliseBatch));
      }
      $("content").hidden = false;
      state.lastSuccess = new Date();
      state.refreshes++;
      hideKeyPanel();
      setStatus(tr("updated", clock(state.lastSuccess)), false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        state.stopped = true;
        showKeyPanel(tr("key401"), true);
        return;
      }
      if (e instanceof ApiError && e.status === 403) {
        state.stopped = true;
        showKeyPanel(tr("key403"), true);
        return;
      }
      const since = state.lastSuccess ? tr("showingSince", clock(state.lastSuccess)) : "";
      setStatus(tr("cannotLoad", e instanceof ApiError && e.status ? e.status : tr("noConnection"), since), true);
      window.edgeTelemetry.lastError = String(e && e.message || e);
    } finally {
      state.busy = false;
      if (!state.stopped && state.key) scheduleNext();
    }
  }

  function scheduleNext() {
    stopTimer();
    state.timer = setTimeout(refresh, REFRESH_MS);
  }
  function stopTimer() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  // ---------- wiring ----------
  window.edgeTelemetry = {
    /** For tests and the curious: the live uPlot instances by chart id. */
    get charts() { return Object.fromEntries([...state.charts].map(([id, e]) => [id, e.plot])); },
    get refreshes() { return state.refreshes; },
    get site() { return state.site; },
    get role() { return state.role; },
    refresh: () => refresh(),
    lastError: null,
  };

  $("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = $("key-input").value.trim();
    if (value) useKey(value);
  });
  $("key-show").addEventListener("click", () => {
    const input = $("key-input");
    input.type = input.type === "password" ? "text" : "password";
    $("key-show").textContent = input.type === "password" ? tr("show") : tr("hide");
  });
  $("key-forget").addEventListener("click", () => {
    try { localStorage.removeItem(KEY_STORAGE); } catch { /* ignore */ }
    state.key = null;
    state.stopped = true;
    $("content").hidden = true;
    showKeyPanel(tr("keyRemoved"), false);
  });
  $("change-key").addEventListener("click", () => {
    showKeyPanel(tr("differentKey"), false);
  });
  $("site").addEventListener("change", () => {
    state.site = $("site").value;
    try { localStorage.setItem(SITE_STORAGE, state.site); } catch { /* ignore */ }
    refresh();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !state.stopped && state.key) refresh();
  });

  // Texts first (public, no key): ?lang= or the browser's languages or the service's default decide.
  async function start() {
    try {
      // ?lang= and ?site= of the page's address: the site's default language applies when neither lang nor the browser decides.
      const url = new URLSearchParams(location.search);
      const ask = new URLSearchParams([...url].filter(([k]) => k === "lang" || k === "site"));
      const r = await fetch(`page-text${ask.size ? `?${ask}` : ""}`, { cache: "no-store" });
      if (r.ok) Object.assign(L, await r.json());
    } catch { /* the English keys below stay readable enough */ }
    document.documentElement.lang = L.lang || "en";
    document.title = tr("title");
    for (const e of document.querySelectorAll("[data-text]")) e.textContent = tr(e.dataset.text);
    state.key = readKey();
    if (state.key) refresh(); else showKeyPanel(null, false);
  }
  start();
})();
