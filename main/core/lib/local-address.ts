import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';

/**
 * The address of this computer that a packet to `host` leaves from: what a
 * device must send traps and events to. Found by connecting a UDP socket
 * (nothing is sent) and reading its local address, which the routing table
 * chose.
 */
export function localAddressToward(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const family = isIP(host) === 6 ? 'udp6' : 'udp4';
    const socket = createSocket(family);
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(9, host, () => {
      try {
        resolve(socket.address().address);
      } catch (error) {
        reject(error as Error);
      } finally {
        socket.close();
      }
    });
  });
}
