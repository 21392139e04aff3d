// The job page's details: where the job reads (a prefix, or a manifest and its key column) and writes,
// its model and the model's SHA-256, skipExisting and the skipped count, and its rerun links (the job
// it reruns and its reruns, links to their pages).
"use strict";

window.JobDetails = (() => {
  const { el, n, when } = window.Dom;

  // A dt/dd pair; value: text, a node or a list of nodes ("–" when empty); id: the dd's id.
  function row(name, value, id) {
    const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
    return [el("dt", {}, name), el("dd", { id }, empty ? "–" : value instanceof Node || Array.isArray(value) ? value : String(value))];
  }

  // status: api/jobs/{id}; spec: its input's spec; p: its customStatus; links: Rerun.links (or null); model: the model's name.
  function rows({ status, spec, p, applied, links, model }) {
    const output = status.output && typeof status.output === "object" ? status.output : null;
    const parent = spec.parentJob || p.parentJob || (output && output.parentJob) || (links && links.parentJob);
    const reruns = (links && links.reruns) || [];
    const skipped = output && output.skipped !== undefined ? output.skipped : p.skipped;
    return [
      ...(parent ? row("Parent job", Rerun.job(parent), "parent-job") : []),
      ...(reruns.length ? row("Reruns", reruns.flatMap((r, i) => [i ? ", " : "", Rerun.job(r.jobId)]), "reruns") : []),
      ...(spec.manifest
        ? [...row("Manifest", spec.manifest, "manifest"), ...row("Key column", spec.manifestKeyColumn), ...row("Keys read from", spec.source)]
        : row("Source", spec.source)),
      ...row("Model", model), ...row("Model SHA-256", p.modelSha256 || (output && output.modelSha256) || spec.modelSha256, "model-sha256"),
      ...row("Output", spec.output), ...row("Format", spec.format),
      ...(spec.skipExisting ? row("Skip existing", spec.skipExisting, "skip-existing") : []),
      ...row("Skipped", skipped === undefined || skipped === null ? null : n(skipped), "skipped"),
      ...row("Batch size", spec.batchSize), ...row("Priority", applied),
      ...row("Started", when(p.startedAt || status.createdTime)), ...row("Updated", when(status.lastUpdatedTime)),
      ...(output ? row("Results", `${output.predictions}, ${output.summary} and report.html beside it`) : []),
      ...(status.failureDetails ? row("Failure", `${status.failureDetails.errorType}: ${status.failureDetails.errorMessage}`) : []),
    ];
  }

  return { rows };
})();
