/** Stable error codes carried by every {@link AtrousError}. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'UNSUPPORTED'
  | 'PARSE_ERROR'
  | 'OUT_OF_MEMORY'
  | 'ABORTED'
  | 'DISPOSED'
  | 'DEVICE_ERROR'
  | 'NOT_FOUND'
  | 'INTERNAL';

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_ARGUMENT', 'SHAPE_MISMATCH', 'UNSUPPORTED', 'PARSE_ERROR', 'OUT_OF_MEMORY',
  'ABORTED', 'DISPOSED', 'DEVICE_ERROR', 'NOT_FOUND', 'INTERNAL',
]);

/** The one error type atrous throws or rejects with; `code` says what kind of problem it is. */
export class AtrousError extends Error {
  /** What kind of problem this is; stable across versions. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AtrousError';
    this.code = code;
  }
}

/** True when `e` is an {@link AtrousError}, optionally with the given code. */
export function isAtrousError(e: unknown, code?: ErrorCode): e is AtrousError {
  return e instanceof AtrousError && (code === undefined || e.code === code);
}

/**
 * Converts an error from the native addon (an Error with a string `code`) into an AtrousError
 * whose stack starts at `site`, a stack captured where the user called into atrous.
 */
export function fromNative(e: unknown, site?: { stack?: string }): AtrousError {
  if (e instanceof AtrousError) {
    if (site?.stack) e.stack = `AtrousError [${e.code}]: ${e.message}\n${site.stack.split('\n').slice(1).join('\n')}`;
    return e;
  }
  const raw = e as { code?: unknown; message?: unknown };
  const code = typeof raw?.code === 'string' && CODES.has(raw.code) ? (raw.code as ErrorCode) : 'INTERNAL';
  const message = typeof raw?.message === 'string' ? raw.message : String(e);
  const err = new AtrousError(code, message, { cause: e });
  if (site?.stack) {
    const frames = site.stack.split('\n').slice(1).join('\n');
    err.stack = `AtrousError [${code}]: ${message}\n${frames}`;
  }
  return err;
}

/** Captures the caller's stack, skipping frames inside `fn` (an atrous API function). */
// eslint-disable-next-line @typescript-eslint/ban-types
export function callSite(fn: Function): { stack?: string } {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, fn);
  return site;
}

/** Throws an INVALID_ARGUMENT (or other code) error naming the argument and its value. */
export function fail(code: ErrorCode, message: string): never {
  const err = new AtrousError(code, message);
  Error.captureStackTrace(err, fail);
  throw err;
}

/** Short printable form of a value for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `[${v.slice(0, 8).map(show).join(', ')}${v.length > 8 ? ', …' : ''}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  return Object.prototype.toString.call(v);
}
