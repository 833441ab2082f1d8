// Runs static/pow.js under Node against a stand-in for the report form and
// prints the counter it puts in the form: node pow_harness.js SCRIPT TOKEN BITS [nosubtle]
"use strict";
const fs = require("fs");
const [script, token, bits, mode] = process.argv.slice(2);
const elements = { challenge: { value: token }, work: { value: "" } };
const question = { hidden: false };
const status = { hidden: true, textContent: "", getAttribute: () => "done" };
global.window = { crypto: mode === "nosubtle" ? undefined : globalThis.crypto, TextEncoder, Uint32Array };
global.document = {
  getElementById: (id) => ({ "report-form": { elements, getAttribute: () => bits }, question, "pow-status": status })[id] || null,
};
const start = process.hrtime.bigint();
new Function(fs.readFileSync(script, "utf8"))();
const timer = setInterval(() => {
  if (elements.work.value === "") { return; }
  clearInterval(timer);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ work: elements.work.value, question_hidden: question.hidden, ms }));
}, 1);
