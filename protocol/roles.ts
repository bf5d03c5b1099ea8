/*
 * Who is who, as plain constants without schemas: the CLI lists them in its help without loading zod.
 */

/** A staff member's role: `admin` also signs in to the admin app. */
export const STAFF_ROLES = ['staff', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
