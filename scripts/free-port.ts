/** A free TCP port on loopback, for tests, benchmarks and the throw-away PostgreSQL server. */
import { createServer } from 'node:net';

/** Listens on 127.0.0.1:0, reads the port the system chose, and closes again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('freePort: no TCP address');
  return address.port;
}
