/** @module Small parsers for command-line option values, with messages that name the option. */
import { InvalidArgumentError } from 'commander';

/** Parses a whole number ≥ `min`; commander prints the message and exits 1 on failure. */
export function wholeNumber(min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    }
    return Number(value);
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
