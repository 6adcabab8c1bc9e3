import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

/** The console's build output: packages/console/dist/web, beside this package (from src/ and dist/ alike). */
export const CONSOLE_DIST = resolve(__dirname, '..', '..', '..', 'console', 'dist', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  /** Vite's content-hashed assets never change under their name. */
  readonly immutable: boolean;
}

/**
 * The built console's files, read into memory once (under a megabyte). Only files found by
 * listing the build directory are served, so no request path can reach outside it. The
 * directory is listed again (at most once a second) when a name is not found or the build's
 * stamp file (`.built`, written by bin/build-workspace.js) changed, so a rebuild is picked up.
 */
export class ConsoleFiles {
  private files = new Map<string, ConsoleFile>();
  private listedAtMs = Number.NEGATIVE_INFINITY;
  private stamp: number | undefined;

  constructor(readonly dir: string = CONSOLE_DIST) {}

  /** Whether the console was built (its index.html exists). */
  built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  /** The file at `path` (relative, `/`-separated), or undefined. */
  get(path: string): ConsoleFile | undefined {
    const found = this.files.get(path);
    const recent = Date.now() - this.listedAtMs < 1_000;
    if (found !== undefined && (recent || this.stampOf() === this.stamp)) return found;
    if (found === undefined && recent) return undefined;
    this.list();
    return this.files.get(path);
  }

  private stampOf(): number | undefined {
    try {
      return statSync(join(this.dir, '.built')).mtimeMs;
    } catch {
      return undefined;
    }
  }

  private list(): void {
    this.listedAtMs = Date.now();
    this.stamp = this.stampOf();
    const files = new Map<string, ConsoleFile>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && statSync(full).size < 20_000_000) {
          const type = TYPES[extname(entry.name).toLowerCase()];
          if (type === undefined) continue;
          const body = readFileSync(full);
          const name = relative(this.dir, full).split(sep).join('/');
          files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, immutable: name.startsWith('assets/') });
        }
      }
    };
    if (existsSync(this.dir)) walk(this.dir);
    this.files = files;
  }
}
