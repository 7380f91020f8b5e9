// Loaded with `node --require` ahead of `edgecab serve` by
// test/integration/serve-robustness.test.ts. On SIGUSR2, background work of
// the process fails in the two ways that end a Node process left to itself:
// a timer callback that throws, and a promise that rejects with nobody
// waiting for it. Nothing else changes; without SIGUSR2 it does nothing.
'use strict';
process.on('SIGUSR2', () => {
  setTimeout(() => {
    throw new Error('a timer threw (serve-robustness test)');
  }, 0);
  setTimeout(() => void Promise.reject(new Error('a background task rejected (serve-robustness test)')), 0);
});
