// The job list: newest first, filtered by state (and by tenant for the master key), paged, refreshed
// every 5 s; and the progress bar and model names the job page shares with it.
"use strict";

window.JobList = (() => {
  const { el, n, rate, duration, when } = window.Dom;
  const enc = encodeURIComponent;
  const ENDED = ["Completed", "Failed", "Terminated"];
  const STATES = ["Running", "Pending", "Completed", "Failed", "Terminated", "Suspended"];

  function listHash({ state, tenant, size, page }) {
    const parts = [state ? `state=${enc(state)}` : "", tenant ? `tenant=${enc(tenant)}` : "", size !== 20 ? `size=${size}` : "", page ? `page=${page}` : ""];
    return `#/jobs?${parts.filter(Boolean).join("&")}`;
  }

  // params: the hash's query; ctx: dashboard.js's view, api, me, loaded, every, fail and current() (the view is still shown).
  function show(params, { view, api, me, loaded, every, fail, current }) {
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
        if (!current()) return;
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
        fail(error);
      }
    };
    load();
    every(5000, load);
  }

  function track() {
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
      const bar = track();
      fillTrack(bar, job.done, job.failed, job.total, ended);
      return el("tr", { dataset: { jobId: job.id }, className: job.state },
        el("td", {}, el("a", { href: `#/jobs/${enc(job.id)}`, className: "mono" }, job.id)),
        admin ? el("td", { className: "tenant" }, job.tenant || "–") : null,
        el("td", { className: "state" }, el("span", { className: `badge ${job.state}` }, job.state), ended ? null : Priority.waiting(job.waiting)),
        el("td", {}, Priority.label(job.priority)),
        el("td", { className: "path", title: job.source || "" }, job.source || "–"),
        el("td", { className: "path", title: job.model || "" }, job.model || "–"),
        el("td", { className: "num" }, el("div", { className: "mini" },
          el("span", {}, `${n(job.done)} / ${job.total === null || job.total === undefined ? "?" : n(job.total)}`,
            job.failed ? el("span", { className: "error" }, ` · ${n(job.failed)} failed`) : null), bar)),
        el("td", { className: "num" }, rate(job.imagesPerSecond)),
        el("td", { className: "num" }, when(job.createdTime)),
        el("td", { className: "num" }, duration(job.durationSeconds)));
    });
    return el("table", { id: "jobs" },
      el("thead", {}, el("tr", {}, ["Job", ...(admin ? ["Tenant"] : []), "State", "Priority", "Source", "Model"].map(h => el("th", {}, h)),
        ["Images", "Images/s", "Started", "Duration"].map(h => el("th", { className: "num" }, h)))),
      el("tbody", {}, rows));
  }

  return { ENDED, show, track, fillTrack, modelName };
})();
