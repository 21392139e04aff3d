// The submit form over POST /api/jobs: the request's fields, a prefix or a manifest (ManifestFields), a
// tenant key's locations (Locations), the priority (Priority), and the host's 400 shown under the field it names.
"use strict";

window.SubmitForm = (() => {
  const { el } = window.Dom;
  const FIELDS = [
    ["source", "Source", "s3://bucket/prefix, azblob://container/prefix or a local folder", true, "wide"],
    ["manifest", "Manifest", "s3://bucket/list.csv, .jsonl or an inventory's manifest.json; keys are read from its bucket (its folder when local)", true, "wide"],
    ["manifestKeyColumn", "Key column", "the manifest's column (or JSON property) holding the keys", false],
    ["skipExisting", "Skip existing", "optional: an earlier job's output; its images of the same model and ETag are copied, not classified again", false, "wide"],
    ["model", "Model", "path of the .onnx file on the workers", true, "wide"],
    ["output", "Output", "default: results/<job id> beside the source", false, "wide"],
    ["batchSize", "Batch size", "images per batch (default from host.json)", false],
    ["top", "Top classes", "classes per image (default 5)", false],
    ["id", "Job id", "optional; the same id runs once", false],
    ["format", "Format", "", false],
    ["priority", "Priority", "when the workers are busy, higher runs first", false],
    ["outputs", "Outputs", "optional: model outputs stored per image, e.g. features (comma-separated; JSON Lines or Parquet)", false, "wide"],
    ["maxFailedImages", "Stop after failed images", "optional", false],
    ["maxFailedPercent", "Stop after failed percent", "optional", false],
  ];
  const NUMBERS = ["batchSize", "top", "maxFailedImages", "maxFailedPercent"];
  const LIMITED_HINTS = {
    source: "one of your tenant's allowed sources", output: "one of your tenant's allowed outputs", model: "in your tenant's models folder",
    manifest: "in one of your tenant's allowed sources; each key it lists must be in one of them too",
    skipExisting: "optional: an earlier job's output, in one of your tenant's allowed sources",
  };

  // view: where to draw; api/describe: dashboard.js's; me: api/dashboard/me; current(): the view is still shown.
  function show({ view, api, describe, me, current }) {
    const errors = {};
    const inputs = {};
    const blocks = {};
    const form = el("form", { className: "card form-card", id: "submit-form", novalidate: true });
    const grid = el("div", { className: "form-grid" });
    // A tenant's key is offered only its tenant's locations: its allowed sources and outputs, its models folder.
    const tenant = me && me.key === "tenant" ? me : null;
    const limited = {
      source: tenant && Locations.picker(el, "source", tenant.allowSources || []),
      output: tenant && Locations.picker(el, "output", tenant.allowOutputs || []),
      model: tenant && tenant.modelsDir && Locations.model(el, tenant.modelsDir),
      ...(tenant ? ManifestFields.pickers(el, tenant) : {}),
    };
    for (const [name, label, hint, required, wide] of FIELDS) {
      const input = limited[name] || field(name, required);
      inputs[name] = input;
      errors[name] = el("p", { className: "field-error", hidden: true });
      const shownHint = limited[name] ? LIMITED_HINTS[name] : hint;
      blocks[name] = el("div", { className: wide ? "wide" : "", id: `block-${name}` }, el("label", { htmlFor: input.id }, label), input.node || input,
        shownHint ? el("p", { className: "hint" }, shownHint) : null, errors[name]);
      grid.append(blocks[name]);
    }
    const listing = ManifestFields.choice(el, blocks);
    grid.prepend(listing.node);
    const general = el("p", { className: "field-error", hidden: true });
    form.append(el("h1", {}, "Submit a job"), grid, general,
      el("div", { className: "form-actions" }, el("button", { type: "submit", className: "primary" }, "Submit"), el("a", { href: "#/jobs" }, "Cancel")));
    view.replaceChildren(form);

    form.addEventListener("submit", async event => {
      event.preventDefault();
      for (const p of [...Object.values(errors), general]) p.hidden = true;
      const body = {};
      for (const [name, input] of Object.entries(inputs)) {
        if (!listing.sends(name)) continue;
        const value = input.value.trim();
        if (value === "") continue;
        // outputs is a list (NAME[,NAME] as the CLI takes it); the host judges each name.
        body[name] = input.type === "number" ? Number(value) : name === "outputs" ? value.split(",").map(o => o.trim()) : value;
      }
      try {
        const response = await api("/api/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const accepted = await response.json();
        if (current()) location.hash = `#/jobs/${encodeURIComponent(accepted.id)}`;
      } catch (error) {
        if (!current() || error.status === 401) return;
        let shown = false;
        for (const [name, messages] of Object.entries(error.errors || {})) {
          // A field the current choice hides (source while a manifest is chosen) is named in the general line.
          const target = errors[name] && !blocks[name].hidden ? errors[name] : general;
          target.textContent = `${name}: ${[].concat(messages).join(" ")}`;
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

  function field(name, required) {
    if (name === "format")
      return el("select", { id: `f-${name}`, name }, el("option", { value: "jsonl" }, "JSON Lines"), el("option", { value: "csv" }, "CSV"), el("option", { value: "parquet" }, "Parquet"));
    if (name === "priority")
      return Priority.select({ id: "f-priority", name: "priority", value: "normal" });
    return el("input", { id: `f-${name}`, name, type: NUMBERS.includes(name) ? "number" : "text", required, spellcheck: false, value: name === "manifestKeyColumn" ? "key" : null });
  }

  return { show };
})();
