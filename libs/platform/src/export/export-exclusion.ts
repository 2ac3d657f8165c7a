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
