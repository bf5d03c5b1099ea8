import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { isValidDate } from '../../common/time.ts';
import { ErrorCodes, IdSchema } from '../../protocol/index.ts';
import { readerOf } from '../access.ts';
import { forbidden } from '../errors.ts';
import { facilityRollup, type FacilityRollup } from '../rollup.ts';
import type { OrgFacility } from '../store/types.ts';
import type { CloudRouteContext } from './context.ts';

interface OrgRoute {
  Params: { orgId: string };
  Querystring: Record<string, unknown>;
}

interface RollupResponse {
  orgId: string;
  date: string;
  staleAfterSeconds: number;
  facilities: FacilityRollup[];
}

/** An organisation's reads: GET /v1/orgs/O/facilities and …/rollup/daily. */
export function registerOrgReads(
  app: FastifyInstance,
  { store, clock, auth }: CloudRouteContext,
  /** The rollup marks a facility stale after this long without a relay from any of its hubs. */
  staleAfterMs: number,
): void {
  /** Checks of the org routes: org id, then the admin or that organisation's token, then existence. */
  async function orgOf(request: FastifyRequest<OrgRoute>): Promise<string> {
    const principal = auth.principalOf(request);
    const { orgId } = request.params;
    if (!IdSchema.safeParse(orgId).success) {
      throw new ValidationError(ErrorCodes.badRequest, 'malformed organisation id');
    }
    if (principal.kind === 'hub') throw forbidden('hub tokens cannot read organisations');
    if (principal.kind === 'org' && principal.orgId !== orgId) {
      throw forbidden(`this token does not belong to organisation ${orgId}`);
    }
    if ((await store.getOrganisation(orgId)) === undefined) {
      throw new NotFoundError(ErrorCodes.notFound, `unknown organisation ${orgId}`);
    }
    return orgId;
  }

  app.get<OrgRoute>(
    '/v1/orgs/:orgId/facilities',
    auth.reader,
    async (request): Promise<{ orgId: string; facilities: OrgFacility[] }> => {
      const orgId = await orgOf(request);
      const facilities = await store.orgFacilities(orgId);
      request.log.info(
        { orgId, by: readerOf(auth.principalOf(request)), count: facilities.length },
        'org facilities read',
      );
      return { orgId, facilities };
    },
  );

  app.get<OrgRoute>('/v1/orgs/:orgId/rollup/daily', auth.reader, async (request): Promise<RollupResponse> => {
    const orgId = await orgOf(request);
    const date = request.query['date'];
    if (typeof date !== 'string' || !isValidDate(date)) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        'query parameter date must be a calendar date YYYY-MM-DD',
      );
    }
    const inputs = await store.orgRollupInputs(orgId, date);
    const nowMs = clock.now().getTime();
    const facilities = inputs.map((input) => facilityRollup(input, date, nowMs, staleAfterMs));
    request.log.info(
      { orgId, date, by: readerOf(auth.principalOf(request)), count: facilities.length },
      'org rollup read',
    );
    return { orgId, date, staleAfterSeconds: Math.round(staleAfterMs / 1000), facilities };
  });
}
