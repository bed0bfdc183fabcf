/**
 * Cognito's errors and request members as they travel in the JSON 1.1 protocol, so the real AWS SDK
 * client raises the same exception classes against the stand-in as against AWS.
 */

/**
 * An error as the user pools API returns it: the code (`NotAuthorizedException`) goes into the
 * body's `__type` and the `x-amzn-ErrorType` header, the message into `message`.
 */
export class CognitoError extends Error {
  readonly code: string;
  /** 400 for every client fault, as Cognito answers; 500 only for `InternalErrorException`. */
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

/** A request body: the operation's input structure. */
export type RequestBody = Readonly<Record<string, unknown>>;

export function invalidParameter(message: string): CognitoError {
  return new CognitoError('InvalidParameterException', message);
}

export function notAuthorized(message: string): CognitoError {
  return new CognitoError('NotAuthorizedException', message);
}

/** A required member of `AuthParameters` or `ChallengeResponses` that is missing, in Cognito's words. */
export function missingParameter(name: string): CognitoError {
  return invalidParameter(`Missing required parameter ${name}`);
}

/** Cognito names members in validation messages in camel case (`clientId` for `ClientId`). */
function memberPath(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * Cognito's validation message for a member that breaks its shape (missing, empty), e.g.
 * `1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null`.
 */
function validationError(name: string, value: string, constraint: string): CognitoError {
  return invalidParameter(
    `1 validation error detected: Value ${value} at '${memberPath(name)}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A member of the wrong JSON type never reaches Cognito's validation: the parser refuses it. */
function wrongType(name: string, expected: string): CognitoError {
  return new CognitoError('SerializationException', `${name} must be ${expected}`);
}

/** A required string member, non-empty. */
export function requiredString(body: RequestBody, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) {
    throw validationError(name, 'null', 'Member must not be null');
  }
  if (typeof value !== 'string') throw wrongType(name, 'a string');
  if (value.length === 0) {
    throw validationError(name, "''", 'Member must have length greater than or equal to 1');
  }
  return value;
}

/** An optional string member (undefined when absent or null). */
export function optionalString(body: RequestBody, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(name, 'a string');
  return value;
}

/** A string-to-string map member such as `AuthParameters` (empty when absent). */
export function stringMap(body: RequestBody, name: string): Readonly<Record<string, string>> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(name, 'a map of strings');
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw wrongType(`${name}.${key}`, 'a string');
    map[key] = entry;
  }
  return map;
}

/** One entry of a `UserAttributes` list. */
export interface AttributeEntry {
  readonly Name: string;
  readonly Value: string;
}

/** An `AttributeType` list member such as `UserAttributes` (empty when absent). */
export function attributeList(body: RequestBody, name: string): AttributeEntry[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongType(name, 'a list of { Name, Value }');
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null)
      throw wrongType(`${name}[${index}]`, 'a { Name, Value }');
    const { Name, Value } = entry as Record<string, unknown>;
    if (typeof Name !== 'string' || Name.length === 0) {
      throw validationError(`${name}.${index + 1}.member.name`, 'null', 'Member must not be null');
    }
    if (Value !== undefined && Value !== null && typeof Value !== 'string') {
      throw wrongType(`${name}[${index}].Value`, 'a string');
    }
    return { Name, Value: typeof Value === 'string' ? Value : '' };
  });
}

/**
 * Makes text safe for a header value (`x-amzn-ErrorMessage`): messages can quote what the client
 * sent, and a control character there would make Node refuse to write the whole response.
 */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}
