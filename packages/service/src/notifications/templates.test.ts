import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES_DIR } from './notifications.config';
import { MailTemplates, TEMPLATE_NAMES, TemplateError } from './templates';

describe('MailTemplates', () => {
  it('ships every template, each parsing, with the ticket number in every subject', () => {
    const templates = new MailTemplates(DEFAULT_TEMPLATES_DIR);
    expect(() => templates.check()).not.toThrow();
    // Every ticket e-mail; the outage alert names its outage instead (below).
    for (const name of TEMPLATE_NAMES.filter((n) => n !== 'outage-alert')) {
      const rendered = templates.render(name, { ticketNumber: 'SS-000042', summary: 'Login fails', clock: 'response', percent: 75, tierLabel: 'Premium' });
      expect(rendered.subject).toContain('[SS-000042]');
      expect(rendered.text).toContain('SS-000042');
      expect(rendered.html).toContain('SS-000042');
    }
  });

  it('the outage alert names the outage, when and by whom it was declared, and how to acknowledge it', () => {
    const templates = new MailTemplates(DEFAULT_TEMPLATES_DIR);
    const staff = templates.render('outage-alert', {
      outageId: 'OUTAGE-0003',
      declaredAt: 'Tue, Mar 10, 2026, 10:12 AM EDT',
      declaredAtIso: '2026-03-10T14:12:00.000Z',
      byStaff: true,
      byMonitors: false,
      scope: 'Gradebook for all districts',
      reason: 'Every save fails',
      declaredBy: 'u-lee',
    });
    expect(staff.subject).toBe('[OUTAGE-0003] OUTAGE declared Tue, Mar 10, 2026, 10:12 AM EDT by staff: Gradebook for all districts');
    expect(staff.text).toContain('Every save fails');
    expect(staff.text).toContain('POST /outages/OUTAGE-0003/acknowledgement');
    expect(staff.html).toContain('POST /outages/OUTAGE-0003/restoration');
    const monitors = templates.render('outage-alert', { outageId: 'OUTAGE-0004', declaredAt: 'now', byMonitors: true, byStaff: false, declaredBy: 'monitor-atlanta' });
    expect(monitors.subject).toBe('[OUTAGE-0004] OUTAGE declared now: all three status monitors report the service down');
    expect(monitors.text).not.toContain('restoration');
  });

  it('escapes values in HTML only, and keeps the subject on one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-sla-templates-'));
    try {
      writeFileSync(join(dir, 'resolution.subject.txt'), '[{{ticketNumber}}]\n {{summary}}\n');
      writeFileSync(join(dir, 'resolution.txt'), 'Fixed: {{resolutionDetails}}{{#note}} ({{note}}){{/note}}');
      writeFileSync(join(dir, 'resolution.html'), '<p>{{resolutionDetails}}</p>');
      const rendered = new MailTemplates(dir).render('resolution', { ticketNumber: 'SS-1', summary: 'A & B', resolutionDetails: '<script>x</script> & "quotes"' });
      expect(rendered).toEqual({
        subject: '[SS-1] A & B',
        text: 'Fixed: <script>x</script> & "quotes"',
        html: '<p>&lt;script&gt;x&lt;&#x2F;script&gt; &amp; &quot;quotes&quot;</p>',
      });
      // A missing template is reported with its path...
      expect(() => new MailTemplates(dir).check()).toThrow(/confirmation-premium\.subject\.txt/);
      expect(() => new MailTemplates(dir).render('sla-breach', {})).toThrow(TemplateError);
      // ...and so is one an operator broke, at start-up rather than at the first e-mail.
      cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
      writeFileSync(join(dir, 'resolution.html'), '<p>{{#open}}</p>');
      expect(() => new MailTemplates(dir).check()).toThrow(/resolution\.html does not parse/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies an edited template to the next e-mail, without a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-sla-templates-'));
    try {
      cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
      const templates = new MailTemplates(dir);
      const file = join(dir, 'resolution.txt');
      writeFileSync(file, 'first {{ticketNumber}}');
      expect(templates.render('resolution', { ticketNumber: 'SS-1' }).text).toBe('first SS-1');
      writeFileSync(file, 'second, longer {{ticketNumber}}');
      expect(templates.render('resolution', { ticketNumber: 'SS-1' }).text).toBe('second, longer SS-1');
      // An edit of the same length is told apart by its modification time.
      writeFileSync(file, 'SECOND, LONGER {{ticketNumber}}');
      utimesSync(file, new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'));
      expect(templates.render('resolution', { ticketNumber: 'SS-1' }).text).toBe('SECOND, LONGER SS-1');
      // A template removed after start-up fails the render with its path, and comes back when restored.
      rmSync(file);
      expect(() => templates.render('resolution', {})).toThrow(/resolution\.txt/);
      writeFileSync(file, 'back {{ticketNumber}}');
      expect(templates.render('resolution', { ticketNumber: 'SS-2' }).text).toBe('back SS-2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
