/**
 * Every control route. To add a concern: a new `routes-*.ts` file and one line here.
 *
 * @internal
 * @module
 */
import { clockRoutes } from './routes-clock.js';
import { deviceRoutes } from './routes-devices.js';
import { faultRoutes } from './routes-faults.js';
import { observeRoutes } from './routes-observe.js';
import { tokenRoutes } from './routes-tokens.js';
import type { ControlRoute } from './types.js';

/** @internal */
export const CONTROL_ROUTES: readonly ControlRoute[] = [
  ...deviceRoutes,
  ...clockRoutes,
  ...faultRoutes,
  ...tokenRoutes,
  ...observeRoutes,
];
