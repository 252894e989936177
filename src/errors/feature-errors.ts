import { AbmError, type AbmErrorOptions } from './abm-error.js';

/**
 * The operation exists in the interface but this build cannot do it yet (for example CSV device
 * assignment through the Apple Business API, before that API is wired in). Nothing was changed.
 */
export class FeatureUnavailableError extends AbmError {
  declare readonly code: 'FEATURE_UNAVAILABLE';
  /** The feature that is not available, e.g. `assignDevices`. */
  readonly feature: string;
  constructor(feature: string, message: string, options: AbmErrorOptions = {}) {
    super('FEATURE_UNAVAILABLE', message, options);
    this.name = 'FeatureUnavailableError';
    this.feature = feature;
  }
}
