// Preloaded into s3rver (node --require) by benchmarks that count storage requests: prints one
// line per request the server receives, "request METHOD URL". s3rver's own request log does not
// print with the koa-logger version it installs.
'use strict';
const http = require('http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, ...rest) {
  if (event === 'request') process.stdout.write(`request ${request.method} ${request.url}\n`);
  return emit.call(this, event, request, ...rest);
};
