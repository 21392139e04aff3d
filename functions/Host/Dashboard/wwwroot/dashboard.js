// The job dashboard: a page shell with no data in it; everything shown comes from the API with the
// key the user enters (kept in sessionStorage for this tab, sent as x-functions-key, never in a URL).
"use strict";

(() => {
  const KEY = "serverless.key";
  const { el, n, rate, duration } = window.Dom;
  const { ENDED, track: progressTrack, fillTrack, modelName } = window.JobList;
  const enc = encodeURIComponent;
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

  // ---- the job list (joblist.js) ----
  function showList(params) {
    const mine = generation;
    JobList.show(params, { view, api, me, loaded, every, fail: error => fail(error, mine), current: () => mine === generation });
  }

  // ---- one job ----

  function showJob(id) {
    const mine = generation;
    const badge = el("span", { className: "badge" }, "…");
    const phase = el("span", { className: "hint" });
    const priority = Priority.label(null, { id: "priority" });
    const waitingLine = el("div", { id: "waiting" });
    // Raise or lower a running job: offered to admins only (the host refuses the others with a 403 shown here).
    const priorityControl = Priority.canChange(me) ? Priority.control({ id, api, changed: () => setTimeout(load, 500) }) : null;
    const terminate = el("button", { type: "button", className: "danger", id: "terminate", hidden: true }, "Terminate");
    const rerun = Rerun.control({ id, api, describe, go: newId => { if (mine === generation) location.hash = `#/jobs/${enc(newId)}`; } });
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
        el("h1", { className: "mono" }, id), badge, priority, phase,
        el("div", { className: "actions" }, priorityControl && priorityControl.node, terminate, purge)),
      waitingLine,
      rerun.node,
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
    // The rerun links: read on the first load and once the job has ended (a rerun is of an ended job).
    let links = null;
    let linksEnded = null;

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
        if (linksEnded !== ended) {
          linksEnded = ended;
          links = await Rerun.links(api, id);
          if (mine !== generation) return;
        }
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
      // The priority the scheduler applies (customStatus), else the one the job was submitted with.
      const applied = p.priority || spec.priority || null;
      Priority.set(priority, applied);
      waitingLine.replaceChildren(...(ended ? [] : [Priority.waiting(p.waiting)].filter(Boolean)));
      if (priorityControl) priorityControl.update(applied, ended);
      terminate.hidden = ended;
      purge.hidden = !ended;
      const output = status.output && typeof status.output === "object" ? status.output : null;
      rerun.update(ended, output ? output.failed : failed, (output && output.failuresByReason) || p.failuresByReason);
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

      details.replaceChildren(...JobDetails.rows({ status, spec, p, applied, links, model: modelName(id, spec.model) }));
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
  const queueThumbnail = window.Dom.limit(6);

  function tile(label, value, tone) {
    return el("div", { className: tone ? `tile ${tone}` : "tile" }, el("div", { className: "label" }, label), el("div", { className: "value" }, value));
  }

  // ---- submit (submit.js) ----
  function showSubmit() {
    const mine = generation;
    SubmitForm.show({ view, api, describe, me, current: () => mine === generation });
  }

  window.addEventListener("hashchange", route);
  route();
})();
