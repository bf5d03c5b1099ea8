import type { Db } from '../../common/sqlite.ts';

/** What migration tests look at: tables, a table's columns and indexes, by name. */
export function tables(db: Db): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
}

export function columns(db: Db, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
    .all()
    .map((r) => r.name);
}

export function indexes(db: Db, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_index_list('${table}') ORDER BY name`)
    .all()
    .map((r) => r.name);
}
