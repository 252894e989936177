import { AbmError, type AbmErrorOptions } from './abm-error.js';

/** One problem found while validating input: where, and what rule it broke. */
export interface ValidationIssue {
  /** Path of the offending field, e.g. `['skip_setup_items', 2]`. Empty for the whole input. */
  path: (string | number)[];
  /** What is wrong and what would be accepted. */
  message: string;
}

/** Options for errors that report validation issues. */
export interface ValidationErrorOptions extends AbmErrorOptions {
  /** Every problem found (not just the first). */
  issues?: ValidationIssue[];
}

/** A function was called with an argument it cannot accept (wrong type, out of range, …). */
export class InvalidArgumentError extends AbmError {
  declare readonly code: 'INVALID_ARGUMENT';
  /** Every problem found. */
  readonly issues: ValidationIssue[];
  constructor(message: string, options: ValidationErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
    this.issues = options.issues ?? [];
  }
}

/** An ADE profile failed local validation; nothing was sent to Apple. */
export class ProfileValidationError extends AbmError {
  declare readonly code: 'PROFILE_INVALID';
  /** Every problem found, each naming the field and the rule. */
  readonly issues: ValidationIssue[];
  constructor(message: string, options: ValidationErrorOptions = {}) {
    super('PROFILE_INVALID', message, options);
    this.name = 'ProfileValidationError';
    this.issues = options.issues ?? [];
  }
}

/** A profile policy (device, group and OS-default assignments) is malformed. */
export class PolicyValidationError extends AbmError {
  declare readonly code: 'POLICY_INVALID';
  /** Every problem found. */
  readonly issues: ValidationIssue[];
  constructor(message: string, options: ValidationErrorOptions = {}) {
    super('POLICY_INVALID', message, options);
    this.name = 'PolicyValidationError';
    this.issues = options.issues ?? [];
  }
}

/** A serial-number CSV could not be read at all (row-level problems are reported, not thrown). */
export class CsvError extends AbmError {
  declare readonly code: 'CSV_INVALID';
  /** 1-based line number where reading stopped, when known. */
  readonly line: number | undefined;
  constructor(message: string, options: AbmErrorOptions & { line?: number } = {}) {
    super('CSV_INVALID', message, options);
    this.name = 'CsvError';
    this.line = options.line;
  }
}
