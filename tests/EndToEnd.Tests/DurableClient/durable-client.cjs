// Drives `serverless host` with Microsoft's npm `durable-functions` DurableClient, built from the
// binding data the Durable Functions extension hands a Node.js function (getClient over an
// invocation context), and prints what each call answered as one JSON object for the xunit test.
// Environment: BASE_URL, KEY, HUB, ORCHESTRATOR, GOOD_INPUT and BAD_INPUT (job requests as JSON), RUN.
"use strict";
const df = require("durable-functions");

const base = process.env.BASE_URL.replace(/\/$/, "");
const query = `taskHub=${process.env.HUB}&connection=Storage&code=${encodeURIComponent(process.env.KEY)}`;
const instances = `${base}/runtime/webhooks/durabletask/instances/INSTANCEID`;
const clientData = {
  taskHubName: process.env.HUB,
  creationUrls: {
    createNewInstancePostUri: `${base}/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?${query}`,
    createAndWaitOnNewInstancePostUri: `${base}/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
  },
  managementUrls: {
    id: "INSTANCEID",
    statusQueryGetUri: `${instances}?${query}`,
    sendEventPostUri: `${instances}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instances}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instances}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instances}?${query}`,
    restartPostUri: `${instances}/restart?${query}`,
    suspendPostUri: `${instances}/suspend?reason={text}&${query}`,
    resumePostUri: `${instances}/resume?reason={text}&${query}`,
  },
  baseUrl: `${base}/runtime/webhooks/durabletask`,
  requiredQueryStringParameters: query,
};
// As deployed: the host's own name, so getClient keeps the URLs (it rewrites them to localhost:7071 otherwise).
process.env.WEBSITE_HOSTNAME = new URL(base).host;
const binding = df.input.durableClient();
const client = df.getClient({ options: { extraInputs: [binding] }, extraInputs: { get: () => clientData } });

async function settle(id, done, seconds = 240) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const status = await client.getStatus(id);
    if (status && done.includes(status.runtimeStatus)) return status;
    if (Date.now() > until) throw new Error(`${id} is ${status && status.runtimeStatus} after ${seconds} s`);
    await new Promise(r => setTimeout(r, 500));
  }
}

async function attempt(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: String(error && error.message || error) };
  }
}

(async () => {
  const run = process.env.RUN;
  const out = {};
  const started = new Date(Date.now() - 60_000);
  const good = `npm-good-${run}`, bad = `npm-bad-${run}`;
  out.startNew = await attempt(() => client.startNew(process.env.ORCHESTRATOR, { instanceId: good, input: JSON.parse(process.env.GOOD_INPUT) }));
  out.startNewOther = await attempt(() => client.startNew(process.env.ORCHESTRATOR, { instanceId: bad, input: JSON.parse(process.env.BAD_INPUT) }));
  out.startNewUnknown = await attempt(() => client.startNew("NoSuchOrchestrator", { input: {} }));
  out.completed = (await settle(good, ["Completed", "Failed", "Terminated"])).runtimeStatus;
  // The client asks for the history, and reads the status it gets; it keeps no 'historyEvents' of its
  // own (it reads 'history'), so the events are read from the same URL it calls.
  const withHistory = await client.getStatus(good, { showHistory: true, showHistoryOutput: true, showInput: true });
  out.historyStatus = withHistory.runtimeStatus;
  const historyUrl = clientData.managementUrls.statusQueryGetUri.replace("INSTANCEID", good) + "&showHistory=true&showHistoryOutput=true";
  out.history = (await (await fetch(historyUrl)).json()).historyEvents;
  const all = await client.getStatusAll();
  out.listed = all.filter(s => s.instanceId === good);
  out.listedBy = (await client.getStatusBy({ createdTimeFrom: started, runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] })).map(s => s.instanceId);
  out.failed = (await settle(bad, ["Completed", "Failed", "Terminated"])).runtimeStatus;
  out.rewind = await attempt(() => client.rewind(bad, "try again"));
  out.rewindCompleted = await attempt(() => client.rewind(good, "not failed"));
  out.raiseEventEnded = await attempt(() => client.raiseEvent(good, "ping", { at: 1 }));
  out.terminateUnknown = await attempt(() => client.terminate(`npm-none-${run}`, "no such"));
  // The rewound job fails again (its images are bad); then both go by filter.
  out.failedAgain = (await settle(bad, ["Failed", "Completed", "Terminated"])).runtimeStatus;
  out.purgeBy = await attempt(() => client.purgeInstanceHistoryBy({ createdTimeFrom: started, runtimeStatus: [df.OrchestrationRuntimeStatus.Completed, df.OrchestrationRuntimeStatus.Failed] }));
  out.afterPurge = await attempt(() => client.getStatus(good));
  out.purgeByNothing = await attempt(() => client.purgeInstanceHistoryBy({ createdTimeFrom: started, runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] }));
  process.stdout.write(JSON.stringify(out));
})().catch(error => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
