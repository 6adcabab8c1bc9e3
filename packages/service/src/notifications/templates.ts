import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';

/** Template names, one per e-mail kind (the confirmation has one per tier). */
export const TEMPLATE_NAMES = [
  'confirmation-premium',
  'confirmation-professional',
  'resolution',
  'outage-restored',
  'sla-warning',
  'sla-breach',
  'outage-alert',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The values a template may use; see the templates' README for each template's fields. */
export type TemplateView = Readonly<Record<string, string | number | boolean | null | undefined>>;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const verbatim = (value: unknown): string => String(value);

/**
 * Renders the operator-editable templates in `dir`: `<name>.subject.txt`, `<name>.txt` and
 * `<name>.html` (Mustache: `{{field}}`, `{{#field}}…{{/field}}` for optional parts). HTML
 * templates escape values; the subject and plain-text ones do not. Each render checks the
 * files' modification time, size and inode and reads again the ones that changed, so an edit applies
 * to the next e-mail without a restart (and an unchanged file costs a `stat`, not a read).
 */
export class MailTemplates {
  private readonly cache = new Map<string, { readonly stamp: string; readonly text: string }>();
  /** Inside {@link batch}: the files already checked (each is checked once per batch). */
  private checked: Set<string> | undefined;

  constructor(readonly dir: string) {}

  /**
   * Runs `work` (which renders several e-mails) checking each file once, not once per e-mail:
   * an edit applies from the next batch. The mailer renders a batch of the log's events so.
   */
  batch<T>(work: () => T): T {
    if (this.checked !== undefined) return work();
    this.checked = new Set();
    try {
      return work();
    } finally {
      this.checked = undefined;
    }
  }

  private read(file: string): string {
    const path = join(this.dir, file);
    if (this.checked?.has(path) === true) {
      const cached = this.cache.get(path);
      if (cached !== undefined) return cached.text;
    }
    try {
      const stat = statSync(path, { bigint: true });
      const stamp = `${stat.mtimeNs}:${stat.size}:${stat.ino}`;
      let cached = this.cache.get(path);
      if (cached?.stamp !== stamp) {
        cached = { stamp, text: readFileSync(path, 'utf8') };
        this.cache.set(path, cached);
      }
      this.checked?.add(path);
      return cached.text;
    } catch (error) {
      this.cache.delete(path);
      throw new TemplateError(`cannot read e-mail template ${path}: ${(error as Error).message}`);
    }
  }

  render(name: TemplateName, view: TemplateView): RenderedMail {
    const subject = Mustache.render(this.read(`${name}.subject.txt`), view, {}, { escape: verbatim })
      .replace(/\s+/g, ' ')
      .trim();
    const text = Mustache.render(this.read(`${name}.txt`), view, {}, { escape: verbatim });
    const html = Mustache.render(this.read(`${name}.html`), view);
    if (subject === '') throw new TemplateError(`e-mail template ${name}.subject.txt renders an empty subject`);
    return { subject, text, html };
  }

  /** Fails fast at start-up when a template is missing or does not parse. */
  check(): void {
    for (const name of TEMPLATE_NAMES) {
      for (const file of [`${name}.subject.txt`, `${name}.txt`, `${name}.html`]) {
        try {
          Mustache.parse(this.read(file));
        } catch (error) {
          if (error instanceof TemplateError) throw error;
          throw new TemplateError(`e-mail template ${join(this.dir, file)} does not parse: ${(error as Error).message}`);
        }
      }
    }
  }
}
