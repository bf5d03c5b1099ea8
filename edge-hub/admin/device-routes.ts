import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../../common/logger.ts';
import type { AdminDeviceRemoved } from '../../protocol/admin.ts';
import { removeDevice } from '../access/device-removal.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { requireSameOrigin } from '../http/web-app.ts';
import type { AdminContext } from './auth.ts';

export interface DeviceRoutesOptions {
  store: StoreOf<'devices' | 'people' | 'audit'> & Transactional;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
}

/**
 * DELETE /api/admin/devices/:deviceId (registered by edge-hub/admin/api.ts): a lost or retired kiosk or
 * tablet is removed. A tablet is refused at its next request; a connected kiosk is disconnected at the
 * hub's next look (~2 s, edge-hub/hub-listeners.ts) and cannot log in again.
 */
export function registerDeviceRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: DeviceRoutesOptions,
): void {
  const { store, adminOf } = options;
  app.delete<{ Params: { deviceId: string } }>('/api/admin/devices/:deviceId', (req, reply) => {
    requireSameOrigin(req);
    const ctx = adminOf(req);
    const answer: AdminDeviceRemoved = removeDevice(store, req.params.deviceId, {
      kind: 'staff',
      id: ctx.staffId,
    });
    req.log.info({ staffId: ctx.staffId, deviceId: answer.deviceId }, 'device removed');
    return reply.header('cache-control', 'no-store').send(answer);
  });
}
