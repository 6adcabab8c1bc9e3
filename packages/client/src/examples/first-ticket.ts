import { after, createSupportSlaClient, isSupportSlaError } from '../index';

/** The root README's first-ticket walk, in TypeScript. */
export async function firstTicket(baseUrl: string, adaToken: string, agentToken: string, log = console.log): Promise<void> {
  // Ada (Premium) opens a ticket by e-mail. Every command carries an Idempotency-Key (a random
  // one here; pass `idempotencyKey` to make your own retries safe).
  const ada = createSupportSlaClient({ baseUrl, token: adaToken });
  const opened = await ada.POST('/tickets', {
    body: { channel: 'email', request: { summary: 'Grade export fails', description: 'Export does nothing since Monday' } },
  });
  if (opened.ticketNumber === null) throw new Error('the service answered without a ticket number');
  log(`opened ${opened.ticketNumber}: ${opened.events.join(', ')} (revision ${opened.revision}, position ${opened.position})`);

  // Support classifies and responds with an action plan (Premium needs one). `withToken` keeps
  // the session, so the agent's read-model queries wait for Ada's writes too.
  const agent = ada.withToken(agentToken);
  const ticket = { path: { id: opened.ticketNumber } };
  await agent.POST('/tickets/{id}/classification', {
    params: ticket,
    body: { category: 'technical/bug', stepsToReproduce: 'Click Export', usersAffected: 40 },
  });
  const responded = await agent.POST('/tickets/{id}/response', {
    params: ticket,
    body: { message: 'Reproduced', actionPlan: 'Hotfix tonight, confirm tomorrow' },
  });

  // The ticket with its SLA clocks, its audit timeline, and the queue.
  const { ticket: view, sla } = await ada.GET('/tickets/{id}', { params: ticket });
  log(`${view.ticketNumber} is ${view.status} in ${view.queue}; confirmation ${sla.confirmation.status}, response ${sla.response.status}`);
  const history = await agent.GET('/tickets/{id}/history', { params: ticket });
  log(`timeline: ${history.entries.map((entry) => entry.type).join(' → ')}`);
  // after(responded) waits until the queue has folded the response (the session does it anyway).
  const queue = await agent.GET('/queue', { params: { query: { ...after(responded) } } });
  for (const entry of queue.entries) log(`queue ${entry.position}: ${entry.ticketNumber} (${entry.priorityClass}, ${entry.usersAffected ?? '?'} users)`);

  // Errors arrive as SupportSlaError: the status and the service's { error, message, issues }.
  try {
    await ada.POST('/tickets/{id}/classification', { params: ticket, body: { category: 'personal/how-to' } });
  } catch (e) {
    if (!isSupportSlaError(e)) throw e;
    log(`Ada may not classify: ${e.status} ${e.error}`);
  }
}

if (require.main === module) {
  const { SUPPORT_SLA_URL = 'http://127.0.0.1:3000', ADA, AGENT } = process.env;
  if (!ADA || !AGENT) {
    console.error('usage: ADA=<token> AGENT=<token> [SUPPORT_SLA_URL=http://127.0.0.1:3000] node packages/client/dist/examples/first-ticket.js');
    process.exit(2);
  }
  firstTicket(SUPPORT_SLA_URL, ADA, AGENT).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
