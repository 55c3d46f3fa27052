// ZooKeeper's four-letter words (ruok, srvr) over the client port, from the controller: the server answers
// and closes the connection. Only the words zoo.cfg whitelists answer.
import { connect } from 'node:net';

/** The server's answer to `word`, or undefined when it did not answer within timeoutMs. */
export function fourLetterWord(
  host: string,
  port: number,
  word: 'ruok' | 'srvr',
  timeoutMs = 1000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const finish = (answer: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => {
      finish(undefined);
    }, timeoutMs);
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      finish(Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('error', () => {
      finish(undefined);
    });
  });
}
