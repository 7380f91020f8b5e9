import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { SnmpSession } from '../../main/core/protocols/snmp/session.js';

/** A UDP peer that answers every request with the given bytes, as a broken agent would. */
async function brokenAgent(reply: (request: Buffer) => Buffer | null): Promise<{ port: number; socket: Socket; requests: () => number }> {
  const socket = createSocket('udp4');
  let requests = 0;
  socket.on('message', (message, rinfo) => {
    requests += 1;
    const answer = reply(message);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, socket, requests: () => requests };
}

describe('agents that misbehave', () => {
  const sockets: Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  const probe = (port: number) => collectDevice({ host: '127.0.0.1', port, version: '2c', community: 'public', timeoutMs: 300, retries: 1 });

  it('never answering: a timeout after the retries, not a hang', async () => {
    const agent = await brokenAgent(() => null);
    sockets.push(agent.socket);
    await expect(probe(agent.port)).rejects.toMatchObject({ code: 'timeout' });
    expect(agent.requests()).toBe(2);
  });

  it('gets at most two requests in flight at once from one poller', async () => {
    const agent = await brokenAgent(() => null);
    sockets.push(agent.socket);
    const session = new SnmpSession({ host: '127.0.0.1', port: agent.port, version: '2c', community: 'public', timeoutMs: 400, retries: 0 });
    const calls = Array.from({ length: 6 }, (_, index) => session.get([`1.3.6.1.2.1.1.${index + 1}.0`]).catch(() => null));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.requests()).toBe(2);
    await Promise.all(calls);
    expect(agent.requests()).toBe(6);
    session.close();
  });

  it('answering garbage: refused as an invalid answer or a timeout, and the process stays up', async () => {
    const agent = await brokenAgent(() => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    sockets.push(agent.socket);
    await expect(probe(agent.port)).rejects.toMatchObject({ code: expect.stringMatching(/^(timeout|malformed_response)$/) });
  });

  it('answering with an oversized datagram of junk BER: bounded, no crash', async () => {
    const agent = await brokenAgent(() => Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(60_000, 0x04)]));
    sockets.push(agent.socket);
    await expect(probe(agent.port)).rejects.toMatchObject({ code: expect.stringMatching(/^(timeout|malformed_response)$/) });
  });
});
