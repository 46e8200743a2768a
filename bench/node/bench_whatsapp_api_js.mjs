// Decodes the same webhook bodies as bench/bench_wire.cpp with the npm package
// whatsapp-api-js (6.x) in Node, for the comparison in docs/wire.md.
// Usage: node bench_whatsapp_api_js.mjs BODY.json [BODY.json ...]
// Run through bench/node/run.sh, which installs the package when missing.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { WhatsAppAPI } from "whatsapp-api-js";

const secret = "bench-app-secret";
const seconds = Number(process.env.BENCH_SECONDS ?? "2");

function make(secure) {
  const api = new WhatsAppAPI({
    token: "bench-token",
    appSecret: secret,
    secure,
    v: "v24.0",
    ponyfill: { fetch: async () => { throw new Error("no network in benchmarks"); } },
  });
  let seen = 0;
  api.on.message = () => { seen++; };
  api.on.status = () => { seen++; };
  return { api, seen: () => seen };
}

async function measure(label, body, secure) {
  const { api, seen } = make(secure);
  const signature = "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
  // Warm up, then run whole rounds until the time is spent.
  for (let i = 0; i < 2000; i++) await api.post(JSON.parse(body), body, signature);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) await api.post(JSON.parse(body), body, signature);
    n += 1000;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const perSecond = n / elapsed;
  const mbPerSecond = (perSecond * Buffer.byteLength(body)) / 1e6;
  console.log(
    `whatsapp-api-js ${label}: ${perSecond.toFixed(0)} bodies/s, ${mbPerSecond.toFixed(1)} MB/s` +
      ` (${Buffer.byteLength(body)} bytes, ${secure ? "with" : "without"} signature check, handlers called ${seen()})`,
  );
}

for (const file of process.argv.slice(2)) {
  const body = readFileSync(file, "utf8");
  await measure(basename(file), body, false);
  await measure(basename(file), body, true);
}
