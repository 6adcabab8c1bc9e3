import { readFileSync } from 'node:fs';
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
 * templates escape values; the subject and plain-text ones do not. Files are read on every
 * render, so an edit applies to the next e-mail without a restart.
 */
export class MailTemplates {
  constructor(readonly dir: string) {}

  private read(file: string): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8');
    } catch (error) {
      throw new TemplateError(`cannot read e-mail template ${join(this.dir, file)}: ${(error as Error).message}`);
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
