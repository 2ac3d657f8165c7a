import * as net from 'node:net';

/**
 * Ports the fixed ones are below: a developer's stack (4000–4004, 9092). Tests and benchmarks
 * that start whole stacks take a random free block from here, so several runs on one machine
 * never collide.
 */
const PORT_RANGE = { from: 20_000, to: 30_000 };

/** The first of `count` consecutive ports that are free right now. */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from - count));
    let free = true;
    for (let port = first; port < first + count && free; port += 1) free = await portFree(port);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports between ${PORT_RANGE.from} and ${PORT_RANGE.to}`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}
