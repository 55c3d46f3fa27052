// The address a node sees the controller's packets come from: the local address the kernel picks to reach it
// (a connected UDP socket sends nothing, it only routes). On a Docker bridge that is the bridge's gateway, or
// the controller's own container address when it runs on the nodes' network; client partitions drop it.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';

export function controllerAddressFor(nodeAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(nodeAddress) === 6 ? 'udp6' : 'udp4');
    const fail = (e: Error): void => {
      socket.close();
      reject(new Error(`cannot tell the controller's address towards ${nodeAddress}: ${e.message}`));
    };
    socket.once('error', fail);
    // Port 9 (discard): connect() only picks the route, no packet is sent.
    socket.connect(9, nodeAddress, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
