/**
 * Examples shown in the OpenAPI document. The contract test validates each against the schema
 * it illustrates, so they cannot fall out of date.
 */

const clock = (clockName: 'confirmation' | 'response' | 'resolution', targetMs: number | null, deadline: string | null) => ({
  clock: clockName,
  calendar: 'support',
  startedAt: '2026-03-09T13:05:00.000Z',
  startedAtMs: 1773061500000,
  deadline,
  deadlineMs: deadline === null ? null : Date.parse(deadline),
  stoppedAt: null,
  stoppedAtMs: null,
  targetMs,
  businessTimeUsedMs: 1_800_000,
  businessTimeRemainingMs: targetMs === null ? null : targetMs - 1_800_000,
  overdueMs: 0,
  pausedTimeMs: 0,
  pausedBusinessTimeMs: 0,
  status: 'running',
  warningLevel: null,
});

export const TICKET_VIEW_EXAMPLE = {
  ticketId: 'T-01JNZ7X0C4R1V9',
  ticketNumber: 'SS-000042',
  status: 'open',
  channel: 'email',
  tier: 'premium',
  namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator', name: 'Ada' },
  request: { summary: 'Dashboard does not load', description: 'Since this morning the dashboard shows a blank page.', usersAffected: 12 },
  suggestedCategory: 'personal/system-error',
  category: null,
  queue: 'premium:unclassified',
  policyVersion: 1,
  receivedAt: '2026-03-09T13:05:00.000Z',
  openedAt: '2026-03-09T13:05:00.000Z',
  classifiedAt: null,
  reclassifications: 0,
  acknowledgedAt: null,
  respondedAt: null,
  response: null,
  awaitingCustomerSince: null,
  customerWaits: [],
  resolvedAt: null,
  resolution: null,
  closedAt: null,
  resolutionDetails: null,
  reopenCount: 0,
  outageId: null,
};

export const TICKET_COMMAND_EXAMPLE = {
  ticketId: TICKET_VIEW_EXAMPLE.ticketId,
  ticketNumber: TICKET_VIEW_EXAMPLE.ticketNumber,
  events: ['TicketOpened', 'TicketQueued'],
  revision: '1',
  position: '42/42',
  ticket: TICKET_VIEW_EXAMPLE,
};

export const TICKET_DETAILS_EXAMPLE = {
  ticket: TICKET_VIEW_EXAMPLE,
  sla: {
    ticketId: TICKET_VIEW_EXAMPLE.ticketId,
    policyVersion: 1,
    asOf: '2026-03-09T13:35:00.000Z',
    confirmation: clock('confirmation', 7_200_000, '2026-03-09T15:05:00.000Z'),
    response: clock('response', 68_100_000, '2026-03-10T22:00:00.000Z'),
    resolution: clock('resolution', null, null),
  },
  asOf: '2026-03-09T13:35:00.000Z',
  readModelPosition: '42/42',
};

export const QUEUE_EXAMPLE = {
  tier: 'all',
  total: 1,
  entries: [
    {
      key: '1:9999999987:001773061500000:SS-000042',
      ticketId: TICKET_VIEW_EXAMPLE.ticketId,
      ticketNumber: 'SS-000042',
      tier: 'premium',
      queue: 'premium:error',
      priorityClass: 'error',
      usersAffected: 12,
      receivedAtMs: 1773061500000,
      awaitingCustomer: false,
      position: 1,
      receivedAt: '2026-03-09T13:05:00.000Z',
    },
  ],
  readModelPosition: '42/42',
};

export const OUTAGE_COMMAND_EXAMPLE = { events: ['OutageDeclared', 'OutageAlertSent'], outages: ['O-000001', 'O-000001'], revision: '7', position: '51/51' };

export const OUTAGE_LISTING_EXAMPLE = {
  monitors: { chicago: 'down', california: 'down', atlanta: 'down' },
  outages: [{ outageId: 'O-000001', declaredAt: '2026-03-09T14:00:00.000Z', endedAt: null, debriefed: false, closed: false, linkedTickets: ['SS-000042'] }],
};

export const POLICY_PUBLISHED_EXAMPLE = { events: ['PolicyPublished'], version: 2, revision: '1', position: '60/60' };

export const ENTITLEMENTS_EXAMPLE = {
  policyVersion: 1,
  tiers: [
    { tier: 'premium', channels: ['phone', 'email', 'chat', 'dashboard', 'web-portal'], training: ['live-scheduled-sessions', 'user-guides', 'online-videos'] },
    { tier: 'professional', channels: ['email', 'chat', 'dashboard', 'web-portal'], training: ['user-guides', 'online-videos'] },
  ],
};

export const HEALTH_EXAMPLE = {
  status: 'ok',
  store: { kind: 'sqlite', reachable: true, head: '42/42' },
  projections: [{ name: 'read-models', status: 'running', position: '42/42', lag: '0' }],
  notifications: { state: 'sending', lease: { held: true, holder: 'sla-1.example.org:4242:5f0c2a9e', expiresAt: '2026-03-10T14:00:10.000Z' } },
};

export const COMPLIANCE_CSV_EXAMPLE = 'policy,period_from,period_to,as_of,section,…\r\npinned,2026-03-01T00:00:00.000Z,2026-04-01T00:00:00.000Z,2026-04-01T00:00:00.000Z,total,…\r\n';

export const STATUS_EXAMPLE = {
  monitors: [
    { monitor: 'chicago', status: 'down', reportedAt: '2026-03-10T16:20:00.000Z' },
    { monitor: 'california', status: 'down', reportedAt: '2026-03-10T16:20:30.000Z' },
    { monitor: 'atlanta', status: 'up', reportedAt: '2026-03-10T16:21:00.000Z' },
  ],
  outage: { declared: false, since: null, source: null },
  lastRestoration: '2026-03-10T16:21:00.000Z',
  boardRevision: '5',
  checkedAt: '2026-03-10T16:25:00.000Z',
};
