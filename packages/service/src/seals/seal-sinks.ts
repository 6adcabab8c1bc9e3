import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson } from '../hash-chain';
import type { Seal } from './seal';

/**
 * A place a seal is written to besides the log. The point of a seal is that it lives where
 * whoever can rewrite the database cannot silently rewrite it too: a file on other storage,
 * the log collector behind standard output, a webhook to another party.
 */
export interface SealSink {
  /** For messages and the `POST /seals` answer: `file`, `stdout`, `webhook`. */
  readonly name: string;
  write(seal: Seal): Promise<void>;
}

/** The line a seal is written as in the file and on standard output (`audit verify --seal` reads both). */
export const sealLine = (seal: Seal): string => `${canonicalJson(seal)}\n`;

/**
 * Appends each seal as one JSON line to `file` (created with its directory), and waits until it
 * is on disk. Opened in append mode for each seal, never truncated or rewritten.
 */
export function fileSink(file: string): SealSink {
  return {
    name: 'file',
    write: async (seal) => {
      mkdirSync(dirname(file), { recursive: true });
      const fd = openSync(file, 'a', 0o644);
      try {
        writeSync(fd, sealLine(seal));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Prints each seal on standard output as one JSON line, `{"event":"log-sealed","seal":{…}}`,
 * whatever the log level, beside the service's JSON log lines (so the log collector keeps a copy).
 */
export function stdoutSink(stream: { write(text: string): unknown } = process.stdout): SealSink {
  return {
    name: 'stdout',
    write: async (seal) => {
      stream.write(`${canonicalJson({ event: 'log-sealed', seal })}\n`);
    },
  };
}

export interface WebhookOptions {
  /** Attempts before giving up (default 3), with 1 s, 2 s, … between them. */
  readonly attempts?: number;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  readonly fetch?: typeof fetch;
}

/** POSTs each seal as JSON (the seal itself is the body); a non-2xx answer or no answer is retried, then reported. */
export function webhookSink(url: string, options: WebhookOptions = {}): SealSink {
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const delay = options.retryDelayMs ?? ((attempt: number) => 1000 * attempt);
  const send = options.fetch ?? fetch;
  // fetch refuses a URL with credentials in it: they travel as basic authentication instead.
  const target = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.username !== '' || target.password !== '') {
    headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const endpoint = target.toString();
  return {
    name: 'webhook',
    write: async (seal) => {
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await send(endpoint, {
            method: 'POST',
            headers,
            body: canonicalJson(seal),
            signal: AbortSignal.timeout(timeoutMs),
          });
          // The body is not needed; reading it frees the connection.
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return;
          last = `answered ${response.status}`;
        } catch (error) {
          last = (error as Error).message.split(url).join(redactUrl(url));
        }
        if (attempt < attempts) await new Promise((done) => setTimeout(done, delay(attempt)));
      }
      throw new Error(`SEAL_WEBHOOK_URL ${redactUrl(url)} ${last} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
    },
  };
}

/** Credentials in a URL never reach a message. */
const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');
