import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.guard';
import { ApiSuccess } from '../http/api-responses';
import { STATUS_EXAMPLE } from '../http/responses/examples';
import { PublicStatus as PublicStatusCodec } from '../http/responses/status.responses';
import { ConsoleFiles } from './console-files';
import { renderStatusPage, STATUS_STYLE } from './status.page';
import { PublicStatusService } from './status.query';

/** The console's pages: scripts, styles and the API, all from this origin and nothing else. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** The status page runs no script at all. */
export const STATUS_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const secure = (res: Response, csp: string): void => {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
};

/**
 * `/console/…`: the built web console (static files, no token needed: the pages hold no data,
 * every call they make to the API carries the token pasted into them). `/status`: the public
 * status, as JSON or, for a browser, as a page rendered here. Only `GET /status` is in the API
 * document (the typed client calls it); the console's files and the status page's stylesheet are not.
 */
@ApiTags('operations')
@Public()
@Controller()
export class ConsoleController {
  constructor(
    private readonly files: ConsoleFiles,
    private readonly status: PublicStatusService,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'The public status (no token): each monitor’s latest report, the open outage, the last restoration' })
  @ApiSuccess({
    status: 200,
    description:
      'JSON, or for a browser (an `Accept` preferring `text/html`) a page rendered on the server. Cached: it changes only when a monitor reports or an outage is declared or ended (`Cache-Control: public, max-age=5`)',
    codec: PublicStatusCodec,
    example: STATUS_EXAMPLE,
    headers: { 'Cache-Control': { description: '`public, max-age=5`', schema: { type: 'string' } }, Vary: { description: '`Accept`', schema: { type: 'string' } } },
    alsoAs: { 'text/html': { schema: { type: 'string', description: 'The status page (no script)' } } },
  })
  async statusRoute(@Req() req: Request, @Res() res: Response): Promise<void> {
    const status = await this.status.current();
    res.setHeader('Vary', 'Accept');
    res.setHeader('Cache-Control', 'public, max-age=5');
    if (req.accepts(['application/json', 'text/html']) === 'text/html') {
      secure(res, STATUS_CSP);
      res.type('text/html; charset=utf-8').send(renderStatusPage(status));
    } else {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.json(status);
    }
  }

  @Get('status/style.css')
  @ApiExcludeEndpoint()
  statusStyle(@Res() res: Response): void {
    secure(res, STATUS_CSP);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('text/css; charset=utf-8').send(STATUS_STYLE);
  }

  @Get(['console', 'console/*path'])
  @ApiExcludeEndpoint()
  file(@Req() req: Request, @Res() res: Response): void {
    const rest = req.path.replace(/^\/console\/?/, '');
    if (req.path === '/console') {
      res.redirect(301, '/console/');
      return;
    }
    secure(res, CONSOLE_CSP);
    if (!this.files.built()) {
      res.status(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm ci` (or `node packages/service/bin/build-workspace.js`) and start the service again.\n');
      return;
    }
    const file = this.files.get(rest === '' ? 'index.html' : rest);
    if (file === undefined) {
      res.status(404).type('text/plain; charset=utf-8').send('Not found\n');
      return;
    }
    res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', file.etag);
    if (req.headers['if-none-match'] === file.etag) {
      res.status(304).end();
      return;
    }
    res.type(file.type).send(file.body);
  }
}
