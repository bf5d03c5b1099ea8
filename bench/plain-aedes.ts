import { Aedes } from 'aedes';
import { createServer } from 'node:net';

/** A bare aedes broker (no auth, no persistence beyond memory): the baseline the hub is compared to. */
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: true, mqtt: port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});
