import { v7 } from 'uuid';

/** Event ids are UUIDv7: unique without coordination and sortable by creation time. */
export function newEventId(): string {
  return v7();
}
