// A job's priority and why it waits (issue 28): the Priority column and label, the "waiting: ..." line
// under a job's state, the submit form's select, and for an admin (master key, or a tenant key with
// role admin) a select that raises or lowers a running job through POST /api/jobs/{id}/priority.
"use strict";

window.Priority = (() => {
  const { el } = window.Dom;
  const NAMES = ["high", "normal", "low"];

  // <select> of the three names, value selected.
  function select({ id, name, value, label }) {
    return el("select", { id, name, "aria-label": label || "Priority" },
      NAMES.map(p => el("option", { value: p, selected: p === value }, p)));
  }

  // The priority as a label (class priority high|normal|low); "–" when the job has none.
  function label(priority, props = {}) {
    return set(el("span", props), priority);
  }

  // Shows `priority` in a label made by label().
  function set(node, priority) {
    const known = NAMES.includes(priority);
    node.className = known ? `priority ${priority}` : "priority";
    node.textContent = known ? priority : "–";
    return node;
  }

  // "waiting: <reason>" under a job's state, or null when it does not wait.
  function waiting(reason, props = {}) {
    return reason ? el("div", { ...props, className: "waiting", title: reason }, `waiting: ${reason}`) : null;
  }

  // Who may change a priority: the master key, or a tenant's admin (the host judges each request again).
  const canChange = me => !!me && (me.key === "master" || (me.key === "tenant" && me.role === "admin"));

  // What a refused change says: the field's message of a 400, else the problem's title and detail.
  function refusal(error) {
    const messages = error.errors && error.errors.priority ? [].concat(error.errors.priority).join(" ") : "";
    const text = messages || [error.title, error.detail].filter(Boolean).join(": ");
    return `${text}${error.status ? ` (${error.status})` : ""}`;
  }

  // The admin's select for job `id`: update(applied, ended) follows the job's status; a change POSTs it.
  // api: dashboard.js's fetch with the key (throws its ApiError); changed(): reload the job.
  function control({ id, api, changed }) {
    const choice = select({ id: "priority-select", name: "priority", label: "Change the job's priority" });
    const message = el("span", { id: "priority-message", className: "hint", role: "status" });
    const node = el("span", { className: "priority-control", id: "priority-control", hidden: true },
      el("label", { htmlFor: choice.id }, "Priority"), choice, message);
    // A change the scheduler has not applied yet: the select keeps it until the status shows it.
    let requested = null;
    let busy = false;

    choice.addEventListener("change", async () => {
      const wanted = choice.value;
      busy = true;
      message.className = "hint";
      message.textContent = `setting ${wanted}…`;
      try {
        const result = await (await api(`/api/jobs/${encodeURIComponent(id)}/priority`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ priority: wanted }),
        })).json();
        requested = result.priority || wanted;
        message.textContent = `priority set to ${requested}`;
        if (changed) changed();
      } catch (error) {
        if (error.status === 401) return;
        message.className = "error";
        message.textContent = refusal(error);
        choice.value = requested || choice.dataset.applied || "normal";
      } finally {
        busy = false;
      }
    });

    function update(applied, ended) {
      node.hidden = ended;
      choice.dataset.applied = applied || "normal";
      if (requested && applied === requested) requested = null;
      if (!busy) choice.value = requested || applied || "normal";
    }

    return { node, update };
  }

  return { NAMES, select, label, set, waiting, canChange, control };
})();
