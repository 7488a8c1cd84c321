/**
 * @module An HTTP agent that carries `twitter-api-v2`'s requests to the emulator. The library
 * hard-codes `https://api.x.com/…` (its token endpoint included) and sends through Node's `https`
 * with the agent given as its `httpAgent` setting; this agent answers to the `https:` protocol but
 * opens a plain TCP connection to the emulator on loopback. Nothing else of the library changes:
 * its requests, bodies and headers are what it would send to X.
 */
import { Agent, type AgentOptions } from 'node:http';
import { connect, type Socket } from 'node:net';

/** An agent for `https.request` whose every connection goes to `127.0.0.1:port`, unencrypted. */
export class EmulatorAgent extends Agent {
  readonly #port: number;

  constructor(port: number, options: AgentOptions = {}) {
    super({ keepAlive: true, ...options });
    this.#port = port;
    // https.request refuses an agent of another protocol; this one stands in for TLS.
    (this as unknown as { protocol: string }).protocol = 'https:';
  }

  override createConnection(): Socket {
    return connect(this.#port, '127.0.0.1');
  }
}
