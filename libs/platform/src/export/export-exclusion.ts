import 'reflect-metadata';

const EXCLUDED = Symbol('offboarding:exclude-from-export');

/**
 * Keeps an entity (on the class) or one column (on the property) out of the organization data
 * export: secrets such as password hashes, encrypted SSO connection strings, session tokens or
 * masking keys are not the organization's data to take away. Columns whose names look like
 * secrets are left out without it (see SECRET_COLUMN).
 */
export function ExcludeFromExport(): ClassDecorator & PropertyDecorator {
  return (target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      Reflect.defineMetadata(EXCLUDED, true, target);
      return;
    }
    const excluded = (Reflect.getOwnMetadata(EXCLUDED, target) as Set<string | symbol> | undefined) ?? new Set<string | symbol>();
    excluded.add(propertyKey);
    Reflect.defineMetadata(EXCLUDED, excluded, target);
  };
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity targets
export function isEntityExcluded(target: Function | string): boolean {
  return typeof target === 'function' && Reflect.getOwnMetadata(EXCLUDED, target) === true;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity targets
export function isPropertyExcluded(target: Function | string, propertyName: string): boolean {
  if (typeof target !== 'function') return false;
  const excluded = Reflect.getOwnMetadata(EXCLUDED, target.prototype as object) as Set<string | symbol> | undefined;
  return excluded?.has(propertyName) ?? false;
}

/** Column names that hold credentials, whatever entity they are on. */
export const SECRET_COLUMN = /(password|secret|token|credential|private_key|connection_string|masking_key|encrypted)/i;

const JOINED = Symbol('offboarding:export-joined');
const RELATED = Symbol('offboarding:export-related');

/** Columns of a one-to-one table kept apart from its entity (personal data kept apart so it can be masked). */
export interface ExportJoinedColumns {
  /** The table holding them, e.g. `user_pii`. */
  table: string;
  /** Its column naming the entity's primary key, e.g. `user_id`. */
  key: string;
  columns: string[];
}

/**
 * The entity's export carries these columns of a one-to-one table beside it: `users` with the
 * e-mail and name kept in `user_pii`. A row without its joined row exports nulls.
 */
export function ExportJoined(joined: ExportJoinedColumns): ClassDecorator {
  return (target: object) => {
    Reflect.defineMetadata(JOINED, joined, target);
  };
}

/** Another view of an entity's table in an organization's export: rows that belong to organizations related to it. */
export interface ExportRelatedCollection {
  /** The collection's name in the export, e.g. `partners`. */
  collection: string;
  /** The column holding the exporting organization's id, on this table or on `via.table`. */
  organizationColumn: string;
  /** Rows reached through their owner: `<this table>.<key> = <via.table>.id`, selected by `<via.table>.<organizationColumn>`. */
  via?: { table: string; key: string };
  /** Exported columns; all exportable ones when left out. */
  columns?: string[];
}

/**
 * Adds a collection of related organizations' rows to the exporting organization's export: a
 * vendor's `partners` (organizations whose `vendor_id` is the vendor) and their contacts. They are
 * not the organization's own rows, so a purge of it never counts them.
 */
export function ExportRelated(related: ExportRelatedCollection): ClassDecorator {
  return (target: object) => {
    const existing = (Reflect.getOwnMetadata(RELATED, target) as ExportRelatedCollection[] | undefined) ?? [];
    Reflect.defineMetadata(RELATED, [...existing, related], target);
  };
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity targets
export function exportJoinedOf(target: Function | string): ExportJoinedColumns | null {
  return typeof target === 'function' ? ((Reflect.getOwnMetadata(JOINED, target) as ExportJoinedColumns | undefined) ?? null) : null;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity targets
export function exportRelatedOf(target: Function | string): ExportRelatedCollection[] {
  return typeof target === 'function' ? ((Reflect.getOwnMetadata(RELATED, target) as ExportRelatedCollection[] | undefined) ?? []) : [];
}
