// The TLS front of a site's engine, run inside the site's network namespace:
// mutual TLS on <host>:<port> (a client certificate from the CA required),
// piped to the engine's unix socket. Prints JSON lines: "listening", then
// every 200 ms the bytes received from the center so far, as the site sees them.
// Usage: node engine-front.mjs <host> <port> <engine.sock> <cert.pem> <key.pem> <ca.pem>
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer } from 'node:tls';

const [host, port, socketPath, cert, key, ca] = process.argv.slice(2);
let received = 0;
const front = createServer({ cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca), requestCert: true, rejectUnauthorized: true }, (socket) => {
  const upstream = connect(socketPath);
  socket.on('data', (chunk) => {
    received += chunk.length;
  });
  socket.pipe(upstream).pipe(socket);
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
});
front.on('tlsClientError', () => undefined);
front.listen(Number(port), host, () => console.log(JSON.stringify({ event: 'listening' })));
setInterval(() => console.log(JSON.stringify({ event: 'bytes', at: Date.now(), received })), 200);
process.on('SIGTERM', () => process.exit(0));
