import { Extensions } from '@nestjs/graphql';
import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { InvalidInputError } from '../errors/domain-error';

// Every text a client sends is checked once, here, before any resolver sees it: every String and
// ID argument and input field of every subgraph, however deeply nested in input objects and
// lists. PostgreSQL refuses NUL and cannot store unpaired surrogates faithfully; control
// characters in names and notes only ever mean trouble (logs, CSV exports, terminals). A refusal
// is BAD_USER_INPUT naming the field (`input.contacts[0].email`); an accepted text is normalized to
// NFC, so the same name typed on two systems is stored the same way. Every id of the API is a UUID,
// so an ID that is not one is refused here too instead of failing in a uuid column.

/** How one argument or input field's text is checked; the defaults suit names, notes and ids. */
export interface TextRules {
  /** Longest text accepted, in UTF-16 code units (what `String.length` counts). */
  maxLength: number;
  /** Store it as the client sent it (secrets, signed content) instead of normalizing it to NFC. */
  verbatim: boolean;
  /** Only a UUID is accepted (every ID). */
  uuid?: boolean;
}

/** Every String and ID input without rules of its own. */
export const DEFAULT_TEXT_RULES: Readonly<Record<'String' | 'ID', TextRules>> = {
  String: { maxLength: 10_000, verbatim: false },
  ID: { maxLength: 36, verbatim: true, uuid: true },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** C0 controls except tab, line feed and carriage return; DEL; C1 controls; the noncharacters U+FFFE and U+FFFF. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
/** A high surrogate without a low one after it, or a low one without a high one before it. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Declares an input field's own text rules (longer texts, verbatim secrets); the rest keep the defaults. */
export function TextInput(rules: Partial<TextRules>): PropertyDecorator {
  return Extensions({ text: rules });
}

/** The checked, normalized text; InvalidInputError naming `path` otherwise. */
export function checkText(value: string, path: string, rules: TextRules): string {
  if (UNPAIRED_SURROGATE.test(value)) throw new InvalidInputError(path, 'is not valid Unicode text (it contains an unpaired surrogate)');
  const forbidden = FORBIDDEN.exec(value);
  if (forbidden) {
    const code = forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidInputError(path, `must not contain control characters (found U+${code} at position ${forbidden.index})`);
  }
  const text = rules.verbatim ? value : value.normalize('NFC');
  if (text.length > rules.maxLength) throw new InvalidInputError(path, `must be at most ${rules.maxLength} characters`);
  if (rules.uuid && !UUID.test(text)) throw new InvalidInputError(path, 'must be an id (a UUID such as 0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f)');
  return text;
}

/** The rules of an argument or input field: its own declaration over the defaults of its scalar. */
export function textRulesOf(owner: GraphQLArgument | GraphQLInputField, scalar: 'String' | 'ID'): TextRules {
  const declared = owner.extensions?.text as Partial<TextRules> | undefined;
  return { ...DEFAULT_TEXT_RULES[scalar], ...declared };
}

/** Checks (and normalizes, in place) every text in a coerced input value of `type`. */
function checkValue(value: unknown, type: GraphQLInputType, path: string, owner: GraphQLArgument | GraphQLInputField): unknown {
  if (value === null || value === undefined) return value;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) return value;
    const items: unknown[] = value;
    for (let index = 0; index < items.length; index += 1) items[index] = checkValue(items[index], inner.ofType, `${path}[${index}]`, owner);
    return items;
  }
  if (isInputObjectType(inner)) {
    const fields = value as Record<string, unknown>;
    for (const field of Object.values(inner.getFields())) {
      if (field.name in fields) fields[field.name] = checkValue(fields[field.name], field.type, `${path}.${field.name}`, field);
    }
    return fields;
  }
  if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID') && typeof value === 'string') {
    return checkText(value, path, textRulesOf(owner, inner.name));
  }
  return value;
}

/**
 * Wraps every field that takes arguments (queries, mutations, and field resolvers with arguments)
 * so its arguments' texts are checked before the resolver — and its guards — run.
 */
export function checkTextInputs(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const texts = field.args.filter((argument) => carriesText(argument.type, new Set()));
      if (texts.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        for (const argument of texts) {
          if (argument.name in args) args[argument.name] = checkValue(args[argument.name], argument.type, argument.name, argument);
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** Whether a String or ID can appear anywhere inside an input of this type. */
function carriesText(type: GraphQLInputType, seen: Set<string>): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return carriesText(inner.ofType, seen);
  if (isScalarType(inner)) return inner.name === 'String' || inner.name === 'ID';
  if (!isInputObjectType(inner) || seen.has(inner.name)) return false;
  seen.add(inner.name);
  return Object.values(inner.getFields()).some((field) => carriesText(field.type, seen));
}
