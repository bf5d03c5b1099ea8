import net from 'node:net';

/**
 * Test support only: a TCP proxy in front of a broker that can be frozen, as a SIGSTOPped hub is: while
 * frozen, connections are accepted (the kernel does that for a stopped process too) and stay open, but no
 * byte and no close passes in either direction; thawing delivers everything that was held, in order.
 */
export class FreezingProxy {
  #server: net.Server | undefined;
  #frozen = false;
  /** What was held while frozen, in arrival order. */
  #held: (() => void)[] = [];
  readonly #sockets = new Set<net.Socket>();

  constructor(readonly targetPort: number) {}

  get port(): number {
    const address = this.#server?.address();
    if (!address || typeof address === 'string') throw new Error('proxy not listening');
    return address.port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.#pipe(client, upstream);
      this.#pipe(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    this.#server = server;
  }

  freeze(): void {
    this.#frozen = true;
  }

  thaw(): void {
    this.#frozen = false;
    for (const action of this.#held.splice(0)) action();
  }

  async stop(): Promise<void> {
    this.#held = [];
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }

  #pipe(from: net.Socket, to: net.Socket): void {
    this.#sockets.add(from);
    const run = (action: () => void) => {
      if (this.#frozen) this.#held.push(action);
      else action();
    };
    from.on('data', (chunk: Buffer) => {
      run(() => {
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('close', () => {
      this.#sockets.delete(from);
      run(() => to.destroy());
    });
    from.on('error', () => undefined);
  }
}
