import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import { ParentGuardianUploadSchema, type ParentGuardianStored } from '../../protocol/parents.ts';
import { forbidden } from '../errors.ts';
import { checkId } from '../store/inputs.ts';
import type { CloudRouteContext } from './context.ts';

/**
 * PUT /v1/hub/parents/GUARDIAN (hub token): the hub's record of a guardian invited to the parent app
 * (protocol/parents.ts ParentGuardianUploadSchema), stored under the token's facility.
 */
export function registerParentUploads(
  app: FastifyInstance,
  { store, metrics, clock, auth }: CloudRouteContext,
): void {
  app.put<{ Params: { guardianId: string } }>(
    '/v1/hub/parents/:guardianId',
    auth.uploader,
    async (request): Promise<ParentGuardianStored> => {
      const principal = auth.principalOf(request);
      if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload guardians');
      const guardianId = checkId(request.params.guardianId, 'guardianId');
      const parsed = ParentGuardianUploadSchema.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const stored = await store.parents.putGuardian(
        principal.facilityId,
        principal.hubId,
        guardianId,
        parsed.data,
      );
      metrics.hubSeen(principal.hubId, clock.now().getTime());
      // Ids and flags only: the body holds a name and the invitation's hash.
      request.log.info(
        {
          hubId: principal.hubId,
          facilityId: principal.facilityId,
          guardianId,
          version: parsed.data.version,
          children: parsed.data.childIds.length,
          invited: parsed.data.invitation !== null,
          revoked: parsed.data.revoked,
          stored,
        },
        'parent guardian received',
      );
      if (stored) return { stored };
      // Not taken: say whether what the cloud holds is a revocation, which a restored hub must not undo.
      const held = await store.parents.getGuardian(principal.facilityId, guardianId);
      return { stored, revoked: held?.revoked ?? false };
    },
  );
}
