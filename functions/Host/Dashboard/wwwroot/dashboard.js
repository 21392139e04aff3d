// The job dashboard: a page shell with no data in it; everything shown comes from the API with the
// key the user enters (kept in sessionStorage for this tab, sent as x-functions-key, never in a URL).
"use strict";

(() => {
  const KEY = "serverless.key";
  const ENDED = ["Completed", "Failed", "Terminated"];
  const STATES = ["Running", "Pending", "Completed", "Failed", "Terminated", "Suspended"];
  const view = document.getElementById("view");
  const banner = document.getElementById("banner");
  const keyView = document.getElementById("key-view");
  const keyForm = document.getElementById("key-form");
  const keyInput = document.getElementById("key-input");
  const keyError = document.getElementById("key-error");
  const forget = document.getElementById("forget-key");
  const whoami = document.getElementById("whoami");
  let timer = null;
  let generation = 0;
  let thumbnails = new Map();
  // Who the key is (api/dashboard/me): its tenant and role, and what the submit form may offer.
  let me = null;

  class ApiError extends Error {
    constructor(status, title, detail, errors) {
      super(title);
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.errors = errors || {};
    }
  }

  // el("div", { className: "x", dataset: { id } }, "text", child...)
  function el(tag, props = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "dataset") Object.assign(element.dataset, value);
      else if (name in element && name !== "list") element[name] = value;
      else element.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  const n = value => (value ?? 0).toLocaleString("en-US");
  const rate = value => value === null || value === undefined ? "–" : (value >= 100 ? value.toFixed(0) : value.toFixed(1));
  const enc = encodeURIComponent;

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return "–";
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
    const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
  }

  function when(iso) {
    if (!iso) return "–";
    const date = new Date(iso);
    const today = new Date().toDateString() === date.toDateString();
    return today ? date.toLocaleTimeString("en-GB") : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }

  async function api(path, init = {}) {
    const key = sessionStorage.getItem(KEY);
    if (!key) {
      askForKey();
      throw new ApiError(401, "A key is needed.");
    }
    let response;
    try {
      response = await fetch(path, { ...init, cache: "no-store", headers: { ...(init.headers || {}), "x-functions-key": key } });
    } catch (error) {
      throw new ApiError(0, "The host cannot be reached", String(error.message || error));
    }
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      askForKey("The host refused this key (401 Unauthorized). Check it and enter it again.");
      throw new ApiError(401, "The key was refused.");
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      throw new ApiError(response.status, problem?.title || response.statusText || "Request failed", problem?.detail, problem?.errors);
    }
    return response;
  }

  function describe(error) {
    if (error.status === 403) return `${error.title} This needs the master key (403 Forbidden).`;
    const detail = error.detail ? `: ${error.detail}` : "";
    return `${error.title}${detail}${error.status ? ` (${error.status})` : ""}`;
  }

  // A banner says where it came from: a failed refresh ("load") is cleared by the next good one;
  // a failed action ("action") and a notice ("info") stay until the user goes to another view.
  function showBanner(text, source) {
    banner.textContent = text;
    banner.className = source === "info" ? "banner info" : "banner";
    banner.dataset.source = source;
    banner.hidden = false;
  }

  function loaded() {
    if (banner.dataset.source === "load") banner.hidden = true;
  }

  function fail(error, mine, source = "load") {
    if (mine !== generation || error.status === 401) return;
    showBanner(describe(error), source);
  }

  // Repeats fn every ms while the view lasts, skipping turns while the tab is hidden.
  function every(ms, fn) {
    const mine = generation;
    const tick = async () => {
      if (mine !== generation) return;
      if (!document.hidden) await fn();
      if (mine === generation) timer = setTimeout(tick, ms);
    };
    timer = setTimeout(tick, ms);
  }

  function leave() {
    clearTimeout(timer);
    generation++;
    for (const url of thumbnails.values()) if (url) URL.revokeObjectURL(url);
    thumbnails = new Map();
  }

  function askForKey(error) {
    leave();
    me = null;
    whoami.hidden = true;
    view.replaceChildren();
    keyView.hidden = false;
    forget.hidden = true;
    keyError.hidden = !error;
    keyError.textContent = error || "";
    keyInput.focus();
  }

  keyForm.addEventListener("submit", async event => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY, key);
    keyInput.value = "";
    try {
      await api("/api/dashboard/jobs?pageSize=1");
    } catch (error) {
      if (error.status !== 401) {
        keyError.hidden = false;
        keyError.textContent = describe(error);
      }
      return;
    }
    route();
  });

  forget.addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    banner.hidden = true;
    askForKey();
  });

  // A notice for the view being navigated to (set before changing location.hash).
  let notice = null;

  function route() {
    leave();
    banner.hidden = true;
    if (notice) {
      showBanner(notice, "info");
      notice = null;
    }
    if (!sessionStorage.getItem(KEY)) return askForKey();
    keyView.hidden = true;
    forget.hidden = false;
    if (!me) return loadMe().then(found => { if (found) route(); });
    const hash = location.hash || "#/jobs";
    const [path, query] = hash.slice(1).split("?");
    for (const link of document.querySelectorAll("[data-nav]"))
      link.classList.toggle("active", path.startsWith(`/${link.dataset.nav}`) && !(link.dataset.nav === "jobs" && path === "/submit"));
    if (path.startsWith("/jobs/") && path.length > 6) return showJob(decodeURIComponent(path.slice(6)));
    if (path === "/submit") return showSubmit();
    return showList(new URLSearchParams(query || ""));
  }

  // The header's "tenant · role"; a host that does not answer the route shows no header (and no tenant choices).
  async function loadMe() {
    try {
      me = await (await api("/api/dashboard/me")).json();
    } catch (error) {
      if (error.status === 401) return null;
      me = { key: null, tenant: null, role: null };
      return me;
    }
    const label = me.key === "tenant" ? [el("strong", { className: "tenant" }, me.tenant), " · ", el("span", { className: "role" }, me.role)]
      : me.key === "master" ? [el("strong", {}, "master key"), " · ", el("span", { className: "role" }, "all tenants")]
      : [el("strong", {}, "function key"), " · ", el("span", { className: "role" }, "no tenant")];
    whoami.replaceChildren(...label);
    whoami.hidden = false;
    return me;
  }

  // ---- the job list ----

  function listHash({ state, tenant, size, page }) {
    const parts = [state ? `state=${enc(state)}` : "", tenant ? `tenant=${enc(tenant)}` : "", size !== 20 ? `size=${size}` : "", page ? `page=${page}` : ""];
    return `#/jobs?${parts.filter(Boolean).join("&")}`;
  }

  function showList(params) {
    const mine = generation;
    const state = params.get("state") || "";
    const page = Math.max(0, parseInt(params.get("page") || "0", 10) || 0);
    const size = Math.min(100, Math.max(1, parseInt(params.get("size") || "20", 10) || 20));
    const admin = me && me.key === "master";
    const tenant = admin ? params.get("tenant") || "" : "";
    const filter = el("select", { id: "state-filter", "aria-label": "Filter by state" },
      el("option", { value: "" }, "All states"), STATES.map(s => el("option", { value: s, selected: s === state }, s)));
    filter.addEventListener("change", () => { location.hash = listHash({ state: filter.value, tenant, size }); });
    // The master key sees every tenant's jobs: a filter by tenant.
    const tenantFilter = admin ? el("select", { id: "tenant-filter", "aria-label": "Filter by tenant" },
      el("option", { value: "" }, "All tenants"), (me.tenants || []).map(t => el("option", { value: t, selected: t === tenant }, t))) : null;
    if (tenantFilter) tenantFilter.addEventListener("change", () => { location.hash = listHash({ state, tenant: tenantFilter.value, size }); });
    const refreshed = el("span", { className: "refreshed" });
    const card = el("div", { className: "card jobs-card" }, el("p", { className: "empty" }, "Loading jobs…"));
    const pager = el("div", { className: "pager" });
    view.replaceChildren(el("div", { className: "toolbar" }, el("h1", {}, "Jobs"), filter, tenantFilter, refreshed), card, pager);

    const load = async () => {
      try {
        const query = `page=${page}&pageSize=${size}${state ? `&state=${enc(state)}` : ""}${tenant ? `&tenant=${enc(tenant)}` : ""}`;
        const data = await (await api(`/api/dashboard/jobs?${query}`)).json();
        if (mine !== generation) return;
        card.replaceChildren(data.jobs.length ? jobsTable(data.jobs, admin) : el("p", { className: "empty" },
          state ? `No ${state.toLowerCase()} jobs.` : "No jobs yet. ", state ? null : el("a", { href: "#/submit" }, "Submit one.")));
        const link = p => listHash({ state, tenant, size, page: p });
        pager.replaceChildren(...[
          page > 0 ? el("a", { href: link(page - 1), id: "newer" }, "‹ Newer") : null,
          el("span", {}, `Page ${page + 1}`),
          data.hasMore ? el("a", { href: link(page + 1), id: "older" }, "Older ›") : null].filter(Boolean));
        refreshed.textContent = `Updated ${new Date().toLocaleTimeString("en-GB")} · refreshes every 5 s`;
        loaded();
      } catch (error) {
        fail(error, mine);
      }
    };
    load();
    every(5000, load);
  }

  function progressTrack() {
    return el("div", { className: "track" }, el("span", { className: "done" }), el("span", { className: "failed" }));
  }

  function fillTrack(track, done, failed, total, ended) {
    const base = total ? Math.max(total, done) : (ended ? Math.max(done, 1) : 0);
    const [ok, bad] = track.children;
    ok.style.width = base ? `${(100 * Math.max(0, done - failed) / base).toFixed(1)}%` : "0%";
    bad.style.width = base ? `${(100 * failed / base).toFixed(1)}%` : "0%";
  }

  // Models as the list names them (relative to the models root); a job's own input holds the host's path.
  const modelNames = new Map();
  const modelName = (id, stored) => modelNames.get(id) || (stored ? stored.split("/").pop() : stored);

  function jobsTable(jobs, admin) {
    jobs.forEach(job => job.model && modelNames.set(job.id, job.model));
    const rows = jobs.map(job => {
      const ended = ENDED.includes(job.state);
      const track = progressTrack();
      fillTrack(track, job.done, job.failed, job.total, ended);
      return el("tr", { dataset: { jobId: job.id }, className: job.state },
        el("td", {}, el("a", { href: `#/jobs/${enc(job.id)}`, className: "mono" }, job.id)),
        admin ? el("td", { className: "tenant" }, job.tenant || "–") : null,
        el("td", {}, el("span", { className: `badge ${job.state}` }, job.state)),
        el("td", { className: "path", title: job.source || "" }, job.source || "–"),
        el("td", { className: "path", title: job.model || "" }, job.model || "–"),
        el("td", { className: "num" }, el("div", { className: "mini" },
          el("span", {}, `${n(job.done)} / ${job.total === null || job.total === undefined ? "?" : n(job.total)}`,
            job.failed ? el("span", { className: "error" }, ` · ${n(job.failed)} failed`) : null), track)),
        el("td", { className: "num" }, rate(job.imagesPerSecond)),
        el("td", { className: "num" }, when(job.createdTime)),
        el("td", { className: "num" }, duration(job.durationSeconds)));
    });
    return el("table", { id: "jobs" },
      el("thead", {}, el("tr", {}, ["Job", ...(admin ? ["Tenant"] : []), "State", "Source", "Model"].map(h => el("th", {}, h)),
        ["Images", "Images/s", "Started", "Duration"].map(h => el("th", { className: "num" }, h)))),
      el("tbody", {}, rows));
  }

  // ---- one job ----

  function showJob(id) {
    const mine = generation;
    const badge = el("span", { className: "badge" }, "…");
    const phase = el("span", { className: "hint" });
    const terminate = el("button", { type: "button", className: "danger", id: "terminate", hidden: true }, "Terminate");
    const purge = el("button", { type: "button", className: "danger", id: "purge", hidden: true }, "Purge");
    const track = progressTrack();
    const progressLine = el("div", { className: "line" });
    const tiles = el("div", { className: "tiles" });
    const chart = el("div", { id: "rate-chart" }, el("p", { className: "empty" }, "Loading…"));
    const failures = el("div", { id: "failures" });
    const classes = el("div", { id: "classes" });
    const grid = el("div", { className: "thumbs", id: "thumbnails" });
    const failedList = el("ul", { className: "failed-list", id: "failed-images" });
    const details = el("dl", { className: "details" });
    view.replaceChildren(
      el("div", { className: "job-head" },
        el("div", { className: "crumbs" }, el("a", { href: "#/jobs" }, "Jobs"), " / job"),
        el("h1", { className: "mono" }, id), badge, phase,
        el("div", { className: "actions" }, terminate, purge)),
      el("section", { className: "card progress" }, el("h2", {}, "Progress"), track, progressLine, tiles),
      el("section", { className: "card" }, el("h2", {}, "Images per second"), chart),
      el("div", { className: "grid2" },
        el("section", { className: "card" }, el("h2", {}, "Failures by reason"), failures),
        el("section", { className: "card" }, el("h2", {}, "Top classes"), classes)),
      el("section", { className: "card" }, el("h2", {}, "Sample images"), grid),
      el("section", { className: "card" }, el("h2", {}, "Failed images"), failedList),
      el("section", { className: "card" }, el("h2", {}, "Details"), details));

    let ended = false;
    let samplesShownEnded = false;

    terminate.addEventListener("click", async () => {
      if (!confirm(`Terminate job ${id} and its pages?`)) return;
      try {
        await api(`/api/jobs/${enc(id)}/terminate?reason=${enc("terminated from the dashboard")}`, { method: "POST" });
        showBanner("Terminate requested.", "info");
        setTimeout(load, 800);
      } catch (error) {
        fail(error, mine, "action");
      }
    });
    purge.addEventListener("click", async () => {
      if (!confirm(`Purge job ${id}, its pages and its history? Its results in storage stay.`)) return;
      try {
        const result = await (await api(`/api/jobs/${enc(id)}`, { method: "DELETE" })).json();
        notice = `Purged job ${id} (${result.instancesDeleted} instances).`;
        location.hash = "#/jobs";
      } catch (error) {
        fail(error, mine, "action");
      }
    });

    const load = async () => {
      try {
        const status = await (await api(`/api/jobs/${enc(id)}?showInput=true`)).json();
        if (mine !== generation) return;
        ended = ENDED.includes(status.runtimeStatus);
        render(status);
        if (!ended || !samplesShownEnded) {
          samplesShownEnded = ended;
          await loadSamples();
        }
        loaded();
      } catch (error) {
        if (error.status === 404 && mine === generation) {
          clearTimeout(timer);
          view.replaceChildren(el("div", { className: "card empty" }, `No job with id ${id}. `, el("a", { href: "#/jobs" }, "Back to the jobs.")));
          return;
        }
        fail(error, mine);
      }
    };

    function render(status) {
      const p = status.customStatus && typeof status.customStatus === "object" ? status.customStatus : {};
      const spec = status.input && status.input.spec ? status.input.spec : {};
      const done = p.done || 0, failed = p.failed || 0, total = p.total ?? null;
      badge.className = `badge ${status.runtimeStatus}`;
      badge.textContent = status.runtimeStatus;
      phase.textContent = p.phase && !ended ? p.phase : "";
      terminate.hidden = ended;
      purge.hidden = !ended;
      fillTrack(track, done, failed, total, ended);
      // From the job's start: createdTime is its current execution's, which continue-as-new moves.
      const elapsed = ((ended ? new Date(status.lastUpdatedTime) : new Date()) - new Date(p.startedAt || status.createdTime)) / 1000;
      const percent = total ? Math.floor(100 * done / Math.max(total, 1)) : null;
      progressLine.replaceChildren(
        el("span", {}, el("strong", {}, n(done)), ` of ${total === null ? "? (still listing)" : n(total)} images`, percent === null ? "" : ` · ${percent}%`,
          failed ? el("span", { className: "error" }, ` · ${n(failed)} failed`) : ""),
        el("span", { id: "eta" }, ended ? `ended after ${duration(elapsed)}` : p.etaSeconds !== null && p.etaSeconds !== undefined ? `ETA ${duration(p.etaSeconds)}` : "ETA –"));
      tiles.replaceChildren(
        tile("Done", n(done)), tile("Failed", n(failed), failed ? "bad" : ""), tile("Total", total === null ? "?" : n(total)),
        tile("Images/s", rate(p.imagesPerSecond)), tile("Elapsed", duration(elapsed)));

      loadChart();
      const byCount = object => Object.entries(object || {}).sort((a, b) => b[1] - a[1]);
      failures.replaceChildren(Charts.bars(byCount(p.failuresByReason), { none: "No image failed.", tone: "bad" }));
      classes.replaceChildren(Charts.bars(byCount(p.topClasses), { none: "No image classified yet." }));

      const output = status.output && typeof status.output === "object" ? status.output : null;
      details.replaceChildren(
        ...row("Source", spec.source), ...row("Model", modelName(id, spec.model)), ...row("Output", spec.output),
        ...row("Batch size", spec.batchSize), ...row("Started", when(p.startedAt || status.createdTime)), ...row("Updated", when(status.lastUpdatedTime)),
        ...(output ? row("Results", `${output.predictions}, ${output.summary} and report.html beside it`) : []),
        ...(status.failureDetails ? row("Failure", `${status.failureDetails.errorType}: ${status.failureDetails.errorMessage}`) : []));
    }

    // The images/s chart, drawn by the server's chart renderer (the one report.html uses); 204: nothing to draw yet.
    async function loadChart() {
      try {
        const response = await api(`/api/dashboard/jobs/${enc(id)}/chart`);
        if (mine !== generation) return;
        if (response.status === 204) {
          chart.replaceChildren(el("p", { className: "empty" }, "No progress samples yet; the chart draws once there are two."));
          return;
        }
        const svg = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
        if (svg.nodeName === "svg") chart.replaceChildren(document.importNode(svg, true));
      } catch (error) {
        fail(error, mine);
      }
    }

    async function loadSamples() {
      let samples;
      try {
        samples = await (await api(`/api/dashboard/jobs/${enc(id)}/samples`)).json();
      } catch (error) {
        fail(error, mine);
        return;
      }
      if (mine !== generation) return;
      grid.replaceChildren(...(samples.classified.length ? samples.classified.map(thumbnail)
        : [el("p", { className: "empty" }, "No classified image yet.")]));
      failedList.replaceChildren(...(samples.failed.length ? samples.failed.map(row => el("li", { className: "failed-image", dataset: { key: row.key } },
        el("span", { className: "key mono" }, row.key), el("code", { className: "reason" }, row.errorCode), el("span", { className: "message" }, row.errorMessage || "")))
        : [el("li", { className: "empty" }, "No failed image among the samples.")]));
    }

    function thumbnail(row) {
      const top = row.top && row.top[0];
      const frame = el("div", { className: "frame" }, el("span", { className: "note" }, "loading…"));
      const figure = el("figure", { className: "thumb", dataset: { key: row.key } }, frame,
        el("figcaption", {},
          el("div", { className: "label", title: top ? top.label : "" }, top ? top.label : "–"),
          el("div", { className: "meta" }, el("span", { className: "key", title: row.key }, row.key.split("/").pop()),
            el("span", { className: "score" }, top ? `${(100 * top.score).toFixed(1)}%` : ""))));
      const show = url => frame.replaceChildren(el("img", { src: url, alt: `${row.key}: ${top ? top.label : ""}` }));
      if (thumbnails.has(row.key)) {
        const url = thumbnails.get(row.key);
        if (url) show(url); else frame.replaceChildren(el("span", { className: "note" }, "no preview"));
      } else {
        thumbnails.set(row.key, null);
        queueThumbnail(async () => {
          try {
            const blob = await (await api(`/api/dashboard/jobs/${enc(id)}/thumbnail?size=256&key=${enc(row.key)}`)).blob();
            if (mine !== generation) return;
            const url = URL.createObjectURL(blob);
            thumbnails.set(row.key, url);
            show(url);
          } catch (error) {
            frame.replaceChildren(el("span", { className: "note" }, `no preview${error.status ? ` (${error.status})` : ""}`));
          }
        });
      }
      return figure;
    }

    load();
    every(3000, async () => { if (!ended) await load(); });
  }

  // A few thumbnails at a time: a page asks for dozens.
  const waiting = [];
  let running = 0;
  function queueThumbnail(task) {
    waiting.push(task);
    pump();
  }
  function pump() {
    while (running < 6 && waiting.length) {
      const task = waiting.shift();
      running++;
      task().finally(() => { running--; pump(); });
    }
  }

  function tile(label, value, tone) {
    return el("div", { className: tone ? `tile ${tone}` : "tile" }, el("div", { className: "label" }, label), el("div", { className: "value" }, value));
  }

  function row(name, value) {
    return [el("dt", {}, name), el("dd", {}, value === undefined || value === null || value === "" ? "–" : String(value))];
  }

  // ---- submit ----

  function showSubmit() {
    const mine = generation;
    const fields = [
      ["source", "Source", "s3://bucket/prefix, azblob://container/prefix or a local folder", true, "wide"],
      ["model", "Model", "path of the .onnx file on the workers", true, "wide"],
      ["output", "Output", "default: results/<job id> beside the source", false, "wide"],
      ["batchSize", "Batch size", "images per batch (default from host.json)", false],
      ["top", "Top classes", "classes per image (default 5)", false],
      ["id", "Job id", "optional; the same id runs once", false],
      ["format", "Format", "", false],
      ["outputs", "Outputs", "optional: model outputs stored per image, e.g. features (comma-separated; JSON Lines or Parquet)", false, "wide"],
      ["maxFailedImages", "Stop after failed images", "optional", false],
      ["maxFailedPercent", "Stop after failed percent", "optional", false],
    ];
    const errors = {};
    const inputs = {};
    const form = el("form", { className: "card form-card", id: "submit-form", novalidate: true });
    const grid = el("div", { className: "form-grid" });
    // A tenant's key is offered only its tenant's locations: its allowed sources and outputs, its models folder.
    const tenant = me && me.key === "tenant" ? me : null;
    const limited = {
      source: tenant && Locations.picker(el, "source", tenant.allowSources || []),
      output: tenant && Locations.picker(el, "output", tenant.allowOutputs || []),
      model: tenant && tenant.modelsDir && Locations.model(el, tenant.modelsDir),
    };
    const limitedHints = { source: "one of your tenant's allowed sources", output: "one of your tenant's allowed outputs", model: "in your tenant's models folder" };
    for (const [name, label, hint, required, wide] of fields) {
      const input = limited[name] || (name === "format"
        ? el("select", { id: `f-${name}`, name }, el("option", { value: "jsonl" }, "JSON Lines"), el("option", { value: "csv" }, "CSV"), el("option", { value: "parquet" }, "Parquet"))
        : el("input", { id: `f-${name}`, name, type: ["batchSize", "top", "maxFailedImages", "maxFailedPercent"].includes(name) ? "number" : "text", required, spellcheck: false }));
      inputs[name] = input;
      errors[name] = el("p", { className: "field-error", hidden: true });
      const shownHint = limited[name] ? limitedHints[name] : hint;
      grid.append(el("div", { className: wide ? "wide" : "" }, el("label", { htmlFor: input.id }, label), input.node || input,
        shownHint ? el("p", { className: "hint" }, shownHint) : null, errors[name]));
    }
    const general = el("p", { className: "field-error", hidden: true });
    form.append(el("h1", {}, "Submit a job"), grid, general,
      el("div", { className: "form-actions" }, el("button", { type: "submit", className: "primary" }, "Submit"), el("a", { href: "#/jobs" }, "Cancel")));
    view.replaceChildren(form);

    form.addEventListener("submit", async event => {
      event.preventDefault();
      for (const p of [...Object.values(errors), general]) p.hidden = true;
      const body = {};
      for (const [name, input] of Object.entries(inputs)) {
        const value = input.value.trim();
        if (value === "") continue;
        // outputs is a list (NAME[,NAME] as the CLI takes it); the host judges each name.
        body[name] = input.type === "number" ? Number(value) : name === "outputs" ? value.split(",").map(o => o.trim()) : value;
      }
      try {
        const response = await api("/api/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const accepted = await response.json();
        if (mine === generation) location.hash = `#/jobs/${enc(accepted.id)}`;
      } catch (error) {
        if (mine !== generation || error.status === 401) return;
        let shown = false;
        for (const [field, messages] of Object.entries(error.errors || {})) {
          const target = errors[field] || general;
          target.textContent = `${field}: ${[].concat(messages).join(" ")}`;
          target.hidden = false;
          shown = true;
        }
        if (!shown) {
          general.textContent = describe(error);
          general.hidden = false;
        }
      }
    });
  }

  window.addEventListener("hashchange", route);
  route();
})();
