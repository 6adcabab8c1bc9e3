import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { InvalidTokenError, TokenService, type AuthenticatedUser, type Role } from './token.service';

const PUBLIC = 'support-sla:public';
const ROLES_KEY = 'support-sla:roles';

/** Marks a route (or controller) as open to callers without a token (health, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);

/** Restricts a route (or controller) to these roles; others get 403. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** The caller is authenticated but their role may not do this (HTTP 403). */
export class RoleForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

export type RequestWithUser = Request & { user?: AuthenticatedUser };

/**
 * Global guard: every route needs a valid bearer token unless marked {@link Public}; routes
 * marked with {@link Roles} also need one of those roles. A `monitor` token acts for its own
 * location only: on a route with a `:location` (or `:monitor`) parameter, another location is 403,
 * so one leaked monitor token cannot report for all three and declare an outage alone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets) === true) return true;
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const header = request.header('authorization');
    if (header === undefined) throw new InvalidTokenError('missing bearer token (Authorization: Bearer <token>)');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"');
    const user = this.tokens.verify(match[1]!);
    request.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles !== undefined && !roles.includes(user.role)) {
      throw new RoleForbiddenError(`role ${user.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    if (user.role === 'monitor') {
      const params = (request.params ?? {}) as Record<string, string | undefined>;
      const location = params.location ?? params.monitor;
      if (location !== undefined && location !== user.monitor) {
        throw new RoleForbiddenError(`this monitor token reports for ${user.monitor ?? 'no location'} only, not for ${location.slice(0, 40)}`);
      }
    }
    return true;
  }
}
