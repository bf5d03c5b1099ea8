import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { ErrorCodes, IdSchema } from '../../protocol/index.ts';
import type { CloudDisposal } from '../store/types.ts';
import type { CloudRouteContext } from './context.ts';

interface DisposalsResponse {
  facilityId: string;
  /** Newest first; counts only, no personal data. */
  disposals: CloudDisposal[];
}

/** GET /v1/facilities/F/disposals: what the retention job deleted of a facility, and when. */
export function registerDisposalReads(app: FastifyInstance, { store, auth }: CloudRouteContext): void {
  app.get<{ Params: { facilityId: string } }>(
    '/v1/facilities/:facilityId/disposals',
    auth.reader,
    async (request): Promise<DisposalsResponse> => {
      const { facilityId } = request.params;
      if (!IdSchema.safeParse(facilityId).success) {
        throw new ValidationError(ErrorCodes.badRequest, 'malformed facility id');
      }
      await auth.access.checkFacilityAccess(auth.principalOf(request), facilityId);
      if ((await store.getFacility(facilityId)) === undefined) {
        throw new NotFoundError(ErrorCodes.notFound, `unknown facility ${facilityId}`);
      }
      return { facilityId, disposals: await store.disposals(facilityId) };
    },
  );
}
