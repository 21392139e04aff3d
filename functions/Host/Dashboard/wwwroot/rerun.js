// The job page's rerun links and its "Rerun failed" button. On an ended job with failed images the
// button posts {"failed": true} (and the reasons chosen in the list, if any) to POST
// /api/jobs/{id}/rerun, which starts a new job over exactly those images; the page then goes to it.
// The host's refusal (400, 403, 409) is shown beside the button. The links (the job this one reruns,
// and its own reruns from its summary.json) come from api/dashboard/jobs/{id}/reruns.
"use strict";

window.Rerun = (() => {
  const { el, n } = window.Dom;
  const enc = encodeURIComponent;

  // id: the job; api/describe: dashboard.js's; go(newId): shows the new job.
  function control({ id, api, describe, go }) {
    const reasons = el("select", { id: "rerun-reasons", multiple: true, "aria-label": "Rerun only these reasons (none chosen: every failed image)",
      title: "Rerun only these reasons (none chosen: every failed image)" });
    const button = el("button", { type: "button", id: "rerun-failed" }, "Rerun failed");
    const message = el("p", { className: "rerun-message", id: "rerun-message", role: "alert", hidden: true });
    const node = el("div", { className: "rerun", id: "rerun", hidden: true },
      el("span", { className: "hint" }, "Classify the failed images again, as a new job:"), reasons, button, message);
    let shown = null;

    button.addEventListener("click", async () => {
      message.hidden = true;
      const chosen = [...reasons.selectedOptions].map(o => o.value);
      button.disabled = true;
      try {
        const body = chosen.length ? { failed: true, reasons: chosen } : { failed: true };
        const response = await api(`/api/jobs/${enc(id)}/rerun`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        go((await response.json()).id);
      } catch (error) {
        if (error.status === 401) return;
        const fields = Object.entries(error.errors || {}).map(([name, messages]) => `${name}: ${[].concat(messages).join(" ")}`);
        message.textContent = fields.length ? `${error.title} ${fields.join(" ")} (${error.status})` : describe(error);
        message.hidden = false;
      } finally {
        button.disabled = false;
      }
    });

    // Shown on an ended job with failed images; the list offers the job's failure reasons, the chosen ones kept.
    function update(ended, failed, byReason) {
      node.hidden = !(ended && failed > 0);
      const entries = Object.entries(byReason || {}).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
      const key = JSON.stringify(entries);
      if (key === shown) return;
      shown = key;
      const selected = new Set([...reasons.selectedOptions].map(o => o.value));
      reasons.replaceChildren(...entries.map(([reason, count]) => el("option", { value: reason, selected: selected.has(reason) }, `${reason} (${n(count)})`)));
      reasons.size = Math.min(Math.max(entries.length, 1), 3);
    }

    return { node, update };
  }

  // The job's rerun links: { parentJob, reruns: [{ jobId, output, submittedAt }] }; null when they cannot be read.
  async function links(api, id) {
    try {
      return await (await api(`/api/dashboard/jobs/${enc(id)}/reruns`)).json();
    } catch {
      return null;
    }
  }

  // A link to a job's page.
  const job = jobId => el("a", { href: `#/jobs/${enc(jobId)}`, className: "mono" }, jobId);

  return { control, links, job };
})();
