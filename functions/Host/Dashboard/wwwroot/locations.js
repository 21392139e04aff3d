// The submit form's location fields for a tenant's key: a choice among the tenant's allowed locations
// (its patterns without the trailing *) followed by the rest of the path, so the form offers only what
// the host would accept; the model is named inside the tenant's models folder. The host still judges
// every request (a 403 names the rule); this only keeps the form from offering the rest.
"use strict";

window.Locations = (() => {
  const base = pattern => pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;

  // A field whose value is the chosen allowed location followed by the typed rest; same shape as an input (value, type, id).
  // optional: a first choice "none" whose value is empty (the field is not sent); rest: the typed part's placeholder.
  function picker(el, name, patterns, { optional = false, rest: placeholder = "rest of the path (optional)" } = {}) {
    const choice = el("select", { id: `f-${name}-base`, name: `${name}-base`, "aria-label": `Allowed ${name} locations` },
      optional ? el("option", { value: "" }, "none") : null, patterns.map(p => el("option", { value: base(p) }, base(p))));
    const rest = el("input", { id: `f-${name}`, name, type: "text", spellcheck: false, placeholder });
    const node = el("div", { className: "location" }, choice, rest);
    const none = () => optional && choice.value === "";
    choice.addEventListener("change", () => { rest.disabled = none(); });
    rest.disabled = none();
    return { node, id: rest.id, type: "text", get value() { return none() ? "" : choice.value + rest.value.trim(); } };
  }

  // The model named inside the tenant's models folder: the folder shown, the name typed.
  function model(el, modelsDir) {
    const input = el("input", { id: "f-model", name: "model", type: "text", required: true, spellcheck: false, placeholder: "name.onnx" });
    const folder = modelsDir.replace(/\/+$/, "");
    const node = el("div", { className: "location" }, el("span", { className: "prefix mono", id: "f-model-dir" }, `${folder}/`), input);
    return { node, id: input.id, type: "text", get value() { const v = input.value.trim(); return v === "" ? "" : `${folder}/${v}`; } };
  }

  return { picker, model };
})();
