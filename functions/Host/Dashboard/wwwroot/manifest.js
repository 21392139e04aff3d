// The submit form's choice of what a job lists: a prefix (source) or a manifest (manifest and
// manifestKeyColumn: a CSV with a header, JSON Lines or an inventory file); exactly one of source and
// manifest is sent. A tenant key picks its manifest and skipExisting among its allowed sources, as the
// host judges them: both are read as sources (the manifest's keys are judged one by one as it is listed).
"use strict";

window.ManifestFields = (() => {
  const MANIFEST = ["manifest", "manifestKeyColumn"];

  // The radios above the fields; blocks: field name -> its block in the form (hidden when not sent).
  // Returns { node, sends(name) }: whether a field is part of the request under the current choice.
  function choice(el, blocks) {
    const radio = (value, label, checked) => el("label", { className: "choice" },
      el("input", { type: "radio", name: "listing", value, id: `f-listing-${value}`, checked }), ` ${label}`);
    const node = el("fieldset", { className: "wide listing", id: "f-listing" }, el("legend", {}, "Images to classify"),
      radio("source", "every object under a prefix", true),
      radio("manifest", "the keys listed in a manifest (CSV with a header, JSON Lines, or an inventory)", false));
    const kind = () => node.querySelector("input[name=listing]:checked").value;
    const apply = () => {
      const manifest = kind() === "manifest";
      if (blocks.source) blocks.source.hidden = manifest;
      for (const name of MANIFEST) if (blocks[name]) blocks[name].hidden = !manifest;
    };
    node.addEventListener("change", apply);
    apply();
    return { node, sends: name => name === "source" ? kind() === "source" : MANIFEST.includes(name) ? kind() === "manifest" : true };
  }

  // A tenant key's pickers for manifest and skipExisting (Locations.picker over its allowed sources).
  function pickers(el, tenant) {
    const sources = tenant.allowSources || [];
    return {
      manifest: Locations.picker(el, "manifest", sources, { rest: "rest of the path: folder/list.csv" }),
      skipExisting: Locations.picker(el, "skipExisting", sources, { optional: true }),
    };
  }

  return { choice, pickers };
})();
