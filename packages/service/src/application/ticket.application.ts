// Only for notifications/outage-alert-recorder.ts (owned elsewhere), until its import names ./actors.
export { MAILER_ACTOR } from './actors';
