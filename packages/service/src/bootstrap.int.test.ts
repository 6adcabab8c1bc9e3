import { ConfigError } from './config/service-config';
import { createService } from './bootstrap';

// SMTP_URL is read by the mailer, but checked with every other setting before anything opens.
test('a bad SMTP_URL is refused at start-up, named together with the other bad settings', async () => {
  const start = createService({ env: { SMTP_URL: 'http://mail.example.com', PORT: 'eighty', SUPPORT_SLA_DB: ':memory:' } });
  await expect(start).rejects.toThrow(ConfigError);
  const problems = await start.catch((error: ConfigError) => error.problems.join('\n'));
  expect(problems).toContain('SMTP_URL must be an smtp:// or smtps:// URL');
  expect(problems).toContain('PORT');
});
