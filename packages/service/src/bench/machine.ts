import { cpus, totalmem } from 'node:os';

/** The machine this process runs on, as the benchmark prints it: `2 × <CPU model>, 23.5 GiB RAM, Node v20.19.0, linux`. */
export function describeMachine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`;
}
