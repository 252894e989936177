import { InvalidArgumentError } from '../errors/index.js';

/**
 * A JSON round trip, refusing values that do not survive it: what every store keeps of a
 * policy, a run report or a token field is its JSON form. @internal
 */
export function toJson(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    throw new InvalidArgumentError(
      'The value must be JSON-serialisable (plain objects, arrays, strings, numbers, booleans, null).',
    );
  }
  return JSON.parse(text);
}
