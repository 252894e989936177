/**
 * The README's enrollment-endpoint snippet and the one-line mounts of docs/enrollment.md,
 * type-checked by CI (`npm run typecheck:examples`). Not meant to be run: see
 * enrollment-endpoint.ts for that.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AbmManager } from 'abmkit';
import {
  buildEnrollmentProfile,
  createEnrollmentHandler,
  type EnrollmentIdentity,
  type MdmPayloadOptions,
  toNodeListener,
} from 'abmkit/enrollment';

declare const manager: AbmManager;
declare const mdm: MdmPayloadOptions;
declare const identity: EnrollmentIdentity;
declare const app: {
  post(path: string, listener: (req: IncomingMessage, res: ServerResponse) => void): void;
};
declare const hono: {
  post(path: string, h: (c: { req: { raw: Request } }) => Promise<Response>): void;
};

const handler = createEnrollmentHandler({
  manager, // routes each device to its token, customer and site; records "profile served"
  minimumOs: { ios: '18.2', macos: '15.2' }, // Apple's "software update required", only where supported
  resolve: async ({ machineInfo, device }) =>
    device === null
      ? { kind: 'refuse', reason: 'not one of our devices' }
      : {
          kind: 'profile',
          profile: await buildEnrollmentProfile({
            identifier: 'com.acme.mdm',
            mdm,
            identity,
            device: machineInfo,
          }),
        },
});
app.post('/enroll', toNodeListener(handler));
hono.post('/enroll', (c) => handler(c.req.raw));
export const POST = handler;
