import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { componentSchemas } from './io-ts-openapi';
// The response codecs register their components as they load (the controllers import them too).
import './responses';

/** Where the pages are: `/docs` (Swagger UI, also `/docs/` and `/docs/index.html`) and the raw document. */
export const API_DOCS_PATH = '/docs';
export const OPENAPI_JSON_PATH = '/docs/openapi.json';

const DESCRIPTION = [
  'Commands, queries and operations of the support-sla reference service.',
  '',
  '- **Authentication**: every route but `/health`, `/metrics`, `/status` and these docs needs `Authorization: Bearer <token>` (a JWT signed with the service key: `npx support-sla token --role agent --user u1 --org acme`). The role in the token decides what the caller may do (403 otherwise).',
  '- **Commands** (POST) answer with what they wrote and the global `position` of their last event. Send an `Idempotency-Key` to make a retry safe: the same key, route and body get the first answer again, with `Idempotent-Replayed: true`.',
  '- **Read your writes**: the read-model queries (`/queue`, `/sla`, `/reports/compliance`) accept `minPosition` (a command’s `position`) and wait until they have folded it; every answer says how far they had caught up (`readModelPosition`, or the `X-Read-Model-Position` header of the report). Ticket reads go to the ticket’s own stream and are always current.',
  '- **Errors** are JSON `{ error, message?, issues? }` (`ErrorBody`): `error` is stable for programs, `message` is for humans.',
  '- **Instants** are ISO-8601 with an offset or Z; durations are milliseconds.',
].join('\n');

/** Builds the OpenAPI 3.1 document from the controllers' decorators and the response codecs. */
export function buildApiDocument(app: NestExpressApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('support-sla')
      .setDescription(DESCRIPTION)
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token from `npx support-sla token` (HS256, signed with the service key)' })
      .addTag('tickets', 'Open a ticket and carry it through its life: classification, confirmation, response, waits on the customer, resolution, closure')
      .addTag('outages', 'Monitor reports, outages declared by the monitors or by staff, restoration, debrief and closure')
      .addTag('policies', 'Versioned SLA policies and what each license includes')
      .addTag('queries', 'Read models: the prioritized queue, the SLA status board and the compliance report')
      .addTag('operations', 'Health, metrics and seals of the log')
      .build(),
  );
  document.components = { ...document.components, schemas: { ...(document.components?.schemas ?? {}), ...componentSchemas() } };
  return document;
}

/**
 * Sets up the pages. Swagger UI's page refers to its assets relative to its own URL, and NestJS
 * serves a page whose references only work at `/docs` (at `/docs/index.html`, or `/docs/` with a
 * query string, they point at `/docs/docs/…` and the page stays blank), so those addresses are
 * sent to `/docs` (relative `Location`, so a path prefix added by a proxy is kept).
 */
export function setupApiDocs(app: NestExpressApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.path === `${API_DOCS_PATH}/` || req.path === `${API_DOCS_PATH}/index.html`)) {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      res.redirect(301, `../docs${query}`);
      return;
    }
    next();
  });
  SwaggerModule.setup(API_DOCS_PATH.slice(1), app, buildApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1), customSiteTitle: 'support-sla API' });
}
