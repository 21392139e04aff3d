// Uploads every file under a folder to S3-compatible storage (s3rver, MinIO, AWS) with
// node's built-in fetch and a SigV4 signature. Each object is one plain PUT with
// Content-Length and the body's SHA-256: no aws-chunked encoding, which s3rver would store
// verbatim (corrupted objects).
//
//   node local/upload.mjs <dir> s3://bucket/prefix [--concurrency 8] [--ext .jpg,.png]
//
// Endpoint and credentials: AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1). Prints one summary line.
import { createHash, createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep, extname } from 'node:path';

function usage(message) {
  if (message) console.error(`upload: ${message}`);
  console.error('usage: upload.mjs <dir> s3://bucket/prefix [--concurrency N] [--ext .jpg,.png]');
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
let concurrency = 8;
let extensions = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = Number(args[++i]);
  else if (args[i] === '--ext') extensions = new Set(args[++i].split(',').map(e => e.toLowerCase()));
  else positional.push(args[i]);
}
if (positional.length !== 2) usage();
const [dir, target] = positional;
const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(target);
if (!match) usage(`'${target}' is not s3://bucket/prefix`);
const bucket = match[1];
const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
const endpoint = (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || '').replace(/\/+$/, '');
const accessKey = process.env.AWS_ACCESS_KEY_ID;
const secretKey = process.env.AWS_SECRET_ACCESS_KEY;
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
if (!endpoint) usage('AWS_ENDPOINT_URL_S3 is not set (source the stack env: set -a; . .work/stack.env; set +a)');
if (!accessKey || !secretKey) usage('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set');
if (!Number.isInteger(concurrency) || concurrency < 1) usage('--concurrency must be a positive integer');

const sha256 = data => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
// RFC 3986 encoding of one path segment, as SigV4 wants it.
const encodeSegment = s => encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());

async function put(key, body) {
  const url = new URL(endpoint);
  const path = '/' + [bucket, ...key.split('/')].map(encodeSegment).join('/');
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const basePath = url.pathname.replace(/\/+$/, '');
  const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signed = Object.keys(headers).sort();
  const canonical = ['PUT', basePath + path, '', ...signed.map(h => `${h}:${headers[h]}`), '', signed.join(';'), payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = ['aws4_request'].reduce(
    (k, part) => hmac(k, part), hmac(hmac(hmac('AWS4' + secretKey, date), region), 's3'));
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  const response = await fetch(`${url.origin}${basePath}${path}`, {
    method: 'PUT',
    body,
    headers: {
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      'content-type': 'application/octet-stream',
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
    },
  });
  if (!response.ok) {
    const text = await response.text();
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
    throw new Error(`PUT s3://${bucket}/${key}: HTTP ${response.status} ${code}`);
  }
  await response.arrayBuffer();
}

async function* walk(folder) {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && (!extensions || extensions.has(extname(entry.name).toLowerCase()))) yield full;
  }
}

const started = Date.now();
let files = 0;
let bytes = 0;
const files_iter = walk(dir);
async function worker() {
  for (;;) {
    const next = await files_iter.next();
    if (next.done) return;
    const rel = relative(dir, next.value).split(sep).join('/');
    const key = prefix ? `${prefix}/${rel}` : rel;
    const body = await readFile(next.value);
    for (let attempt = 1; ; attempt++) {
      try {
        await put(key, body);
        break;
      } catch (error) {
        // Retry refused connections and 5xx a few times; a 4xx is final.
        if (attempt >= 4 || / HTTP 4\d\d /.test(error.message)) throw error;
        await new Promise(r => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    files++;
    bytes += body.length;
  }
}

try {
  await Promise.all(Array.from({ length: concurrency }, worker));
} catch (error) {
  console.error(`upload: ${error.message}`);
  process.exit(1);
}
const seconds = (Date.now() - started) / 1000;
console.log(`uploaded ${files} files (${(bytes / 1e6).toFixed(1)} MB) to s3://${bucket}/${prefix ? prefix + '/' : ''} in ${seconds.toFixed(1)} s`);
