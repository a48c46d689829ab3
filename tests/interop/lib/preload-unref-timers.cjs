'use strict';
// Preloaded into the Prisma CLI process (NODE_OPTIONS=--require ...).
// Prisma 6.19's WebAssembly schema engine arms a 10-second timer that it never
// clears, so the CLI lingers ~10 s after finishing (and, with it, any pool
// connection holding the advisory lock). Unref such timers so the process can
// exit as soon as the real work is done. Referenced I/O (sockets) still keeps
// the process alive while Prisma is actually waiting on the database.
const timers = require('timers');
const LINGER_MS = 10000;

function wrap(orig) {
  return function patchedSetTimeout(fn, ms, ...args) {
    const t = orig.call(this, fn, ms, ...args);
    if (Number(ms) === LINGER_MS && t && typeof t.unref === 'function') t.unref();
    return t;
  };
}

const patchedGlobal = wrap(globalThis.setTimeout);
globalThis.setTimeout = patchedGlobal;
if (timers.setTimeout !== patchedGlobal) timers.setTimeout = wrap(timers.setTimeout);
