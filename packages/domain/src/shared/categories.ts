// No imports: the web console bundles this list without the codecs (`@support-sla/domain/categories`).

/**
 * The agreement's request types. Personal requests concern one individual; technical ones the
 * service. Front-end errors and technical questions have their sub-kinds as their own codes.
 */
export const CATEGORIES = [
  'personal/system-error',
  'personal/configuration',
  'personal/how-to',
  'technical/outage',
  'technical/code-error',
  'technical/back-end-error',
  'technical/bug',
  'technical/feeds',
  'technical/widgets',
  'technical/configuration',
  'technical/front-end/widgets',
  'technical/front-end/modules',
  'technical/front-end/mobile',
  'technical/login',
  'technical/question/configuration',
  'technical/question/infrastructure',
  'technical/question/capacity',
  'technical/question/user-access',
  'technical/question/security-incident',
  'technical/question/integration',
] as const;
