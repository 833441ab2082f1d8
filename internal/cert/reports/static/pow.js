// Proof of work for the incident report form (cert/reports/challenge.go):
// find a counter such that SHA-256(challenge ":" counter) starts with the
// challenge's number of zero bits, put it in the form and hide the question,
// which the form shows to browsers without JavaScript.
//
// The search hashes in this script: the challenge's first 64-byte blocks
// are hashed once, so each candidate costs one or two block compressions.
// WebCrypto's digest answers through a promise per hash, which made 2^18
// hashes take seconds; it confirms the answer found, where the browser
// offers it (secure pages only).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.Uint32Array) { return; }
  var token = form.elements.challenge.value;
  var bits = parseInt(form.getAttribute("data-bits"), 10);
  var work = form.elements.work;
  var question = document.getElementById("question");
  var status = document.getElementById("pow-status");
  if (!token || !(bits > 0 && bits <= 32) || /[^\x20-\x7e]/.test(token)) { return; }

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  var w = new Uint32Array(64);

  // compress runs one 64-byte block (bytes from off) through state h.
  function compress(h, bytes, off) {
    var i, x, y;
    for (i = 0; i < 16; i++) {
      w[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) | (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      x = w[i - 15]; y = w[i - 2];
      w[i] = (w[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + w[i - 7] +
        ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10))) | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7], t1, t2;
    for (i = 0; i < 64; i++) {
      t1 = (k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
  }

  var prefix = token + ":";
  var full = prefix.length - prefix.length % 64;
  var mid = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  var head = new Uint8Array(full);
  for (var i = 0; i < full; i++) { head[i] = prefix.charCodeAt(i); }
  for (i = 0; i < full; i += 64) { compress(mid, head, i); }
  var rest = prefix.slice(full);
  var buf = new Uint8Array(128);
  var h = new Int32Array(8);

  // zeros counts the leading zero bits of SHA-256(prefix + counter).
  function zeros(n) {
    var s = rest + n, len = s.length, total = prefix.length - rest.length + len, j;
    for (j = 0; j < len; j++) { buf[j] = s.charCodeAt(j); }
    buf[len] = 0x80;
    var end = len + 9 <= 64 ? 64 : 128;
    for (j = len + 1; j < end - 8; j++) { buf[j] = 0; }
    var bitLen = total * 8;
    buf[end - 8] = 0; buf[end - 7] = 0; buf[end - 6] = 0;
    buf[end - 5] = Math.floor(bitLen / 4294967296) & 0xff;
    buf[end - 4] = bitLen >>> 24 & 0xff; buf[end - 3] = bitLen >>> 16 & 0xff; buf[end - 2] = bitLen >>> 8 & 0xff; buf[end - 1] = bitLen & 0xff;
    h.set(mid);
    compress(h, buf, 0);
    if (end === 128) { compress(h, buf, 64); }
    return h[0] === 0 ? 32 + Math.clz32(h[1]) : Math.clz32(h[0]);
  }

  function done(n) {
    work.value = String(n);
    if (question) { question.hidden = true; }
    if (status) { status.textContent = status.getAttribute("data-done"); }
  }

  // confirm checks the answer with WebCrypto where there is one.
  function confirm(n, next) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle || !window.TextEncoder) { done(n); return; }
    subtle.digest("SHA-256", new TextEncoder().encode(prefix + n)).then(function (sum) {
      var b = new Uint8Array(sum), z = 0;
      for (var i = 0; i < b.length; i++) {
        if (b[i] === 0) { z += 8; continue; }
        z += Math.clz32(b[i]) - 24;
        break;
      }
      if (z >= bits) { done(n); } else { next(); }
    }, function () { done(n); });
  }

  // search tries 20,000 counters per turn, so that the page stays responsive.
  function search(from) {
    for (var n = from; n < from + 20000; n++) {
      if (zeros(n) >= bits) {
        confirm(n, function () { search(n + 1); });
        return;
      }
    }
    setTimeout(function () { search(from + 20000); }, 0);
  }

  if (status) { status.hidden = false; }
  search(0);
})();
