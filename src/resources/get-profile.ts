import {
  type AdeProfileResponse,
  getAdeProfileResponseSchema,
} from '../profiles/profile-schema.js';
import { defineOperation, type Operation } from './operation.js';

/** `GET /profile?profile_uuid=…`. Safe to retry. @internal */
export const getProfileOperation: Operation<AdeProfileResponse> = defineOperation({
  name: 'getProfile',
  method: 'GET',
  path: '/profile',
  retrySafe: true,
  auth: 'session',
  response: getAdeProfileResponseSchema,
});
