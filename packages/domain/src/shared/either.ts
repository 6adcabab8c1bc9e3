/**
 * fp-ts's `Either` guards and types, re-exported so a host can read a decision or a decoding
 * without importing fp-ts itself. (If you do import fp-ts in an ES-module app, import
 * `fp-ts/lib/Either.js`: fp-ts 2 has no `exports` map, so `fp-ts/Either` is a directory import
 * that Node refuses with ERR_UNSUPPORTED_DIR_IMPORT.)
 */
export { isLeft, isRight } from 'fp-ts/Either';
export type { Either, Left, Right } from 'fp-ts/Either';
