import { z } from 'zod';

/**
 * Today's pickup plan of a child as the tap result shows it (お迎え予定): from the hub's retained
 * topics.pickups message (protocol/parent-pickups.ts KioskPickupsSchema), names only, no photos.
 */
export const PickupViewSchema = z.strictObject({
  time: z.string().regex(/^\d{2}:\d{2}$/),
  personName: z.string().max(200),
  relation: z.string().max(100),
  /** Not on the child's authorised list: the screen says the facility will check. */
  someoneElse: z.boolean(),
});
export type PickupView = z.infer<typeof PickupViewSchema>;
