// Loaded with `node --require` ahead of the core-process bundle: plays Electron's
// process.parentPort over Node's IPC channel (fork with serialization 'advanced',
// so Uint8Arrays cross as they do over a real parent port). A message
// {test: 'reject' | 'throw'} makes background work fail inside the core process.
'use strict';
const listeners = [];
process.parentPort = {
  on(event, listener) {
    if (event === 'message') listeners.push(listener);
  },
  postMessage(message) {
    process.send(message);
  },
};
process.on('message', (message) => {
  if (message && message.test === 'reject') {
    setTimeout(() => void Promise.reject(new Error('a poller lost its socket')), 0);
    return;
  }
  if (message && message.test === 'throw') {
    setTimeout(() => {
      throw new Error('a timer threw');
    }, 0);
    return;
  }
  for (const listener of listeners) listener({ data: message, ports: [] });
});
