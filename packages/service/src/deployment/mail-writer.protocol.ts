import type { MailBatch, MailBatchOutcome } from '../notifications/mail-batch';

/** What the mail writer thread is started with. */
export interface MailWriterData {
  /** The mail tables' SQLite file. */
  readonly database: string;
  /** The service's environment (the thread reads the notifications' settings from it: templates, sender, on-call). */
  readonly env: Readonly<Record<string, string>>;
}

/** Main thread → writer. */
export type ToMailWriter = { readonly type: 'write'; readonly id: number; readonly input: MailBatch } | { readonly type: 'stop' };

/** Writer → main thread. */
export type FromMailWriter =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'written'; readonly id: number; readonly outcome: MailBatchOutcome }
  | { readonly type: 'not-written'; readonly id: number; readonly error: string };
