export { AuthGuard, Public, RoleForbiddenError, Roles, type RequestWithUser } from './auth.guard';
export { InvalidTokenError, isRole, ROLES, TokenService, type AuthenticatedUser, type Role, type SignOptions, type TokenClaims } from './token.service';
