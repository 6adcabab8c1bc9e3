import * as t from 'io-ts';
import { CATEGORIES } from './categories';
import { literalUnion } from './primitives';

/**
 * The vocabulary of the support agreement: licenses, tiers, channels, training and the
 * request taxonomy. Kept in one place so codecs, rules and docs agree.
 */

export const LICENSES = ['administrator', 'publisher', 'teacher'] as const;
export const License = literalUnion('License', LICENSES);
export type License = t.TypeOf<typeof License>;

export const TIERS = ['premium', 'professional'] as const;
export const Tier = literalUnion('Tier', TIERS);
export type Tier = t.TypeOf<typeof Tier>;

/** Administrators get Premium support; Publishers and Teachers get Professional support. */
export const tierForLicense = (license: License): Tier => (license === 'administrator' ? 'premium' : 'professional');

/** Ways a request reaches support. `phone` is a message left with a representative. */
export const CHANNELS = ['phone', 'email', 'chat', 'dashboard', 'web-portal'] as const;
export const Channel = literalUnion('Channel', CHANNELS);
export type Channel = t.TypeOf<typeof Channel>;

export const TRAININGS = ['live-scheduled-sessions', 'user-guides', 'online-videos'] as const;
export const Training = literalUnion('Training', TRAININGS);
export type Training = t.TypeOf<typeof Training>;

/** The agreement's request types (the list itself is in `categories.ts`, which the console bundles). */
export { CATEGORIES };
export const Category = literalUnion('Category', CATEGORIES);
export type Category = t.TypeOf<typeof Category>;

/** The four priority classes of the agreement, in service order. */
export const PRIORITY_CLASSES = ['outage', 'error', 'technical-question', 'how-to'] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

const PRIORITY_OF: Record<Category, PriorityClass> = {
  'personal/system-error': 'error',
  'personal/configuration': 'technical-question',
  'personal/how-to': 'how-to',
  'technical/outage': 'outage',
  'technical/code-error': 'error',
  'technical/back-end-error': 'error',
  'technical/bug': 'error',
  'technical/feeds': 'error',
  'technical/widgets': 'error',
  'technical/configuration': 'technical-question',
  'technical/front-end/widgets': 'error',
  'technical/front-end/modules': 'error',
  'technical/front-end/mobile': 'error',
  'technical/login': 'error',
  'technical/question/configuration': 'technical-question',
  'technical/question/infrastructure': 'technical-question',
  'technical/question/capacity': 'technical-question',
  'technical/question/user-access': 'technical-question',
  'technical/question/security-incident': 'technical-question',
  'technical/question/integration': 'technical-question',
};

/** Which priority class a category is served in. */
export const priorityClassOf = (category: Category): PriorityClass => PRIORITY_OF[category];

/** Errors and bugs must carry steps to reproduce and the number of users affected. */
export const needsReproduction = (category: Category): boolean => PRIORITY_OF[category] === 'error';

/** `personal` or `technical`, the agreement's two request families. */
export const familyOf = (category: Category): 'personal' | 'technical' =>
  category.startsWith('personal/') ? 'personal' : 'technical';

/** Monitors of the status page. An outage needs all three down. */
export const MONITORS = ['chicago', 'california', 'atlanta'] as const;
export const Monitor = literalUnion('Monitor', MONITORS);
export type Monitor = t.TypeOf<typeof Monitor>;
