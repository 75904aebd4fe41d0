import { ArcaError, randomBytes } from '../../core/index.ts'

/**
 * GetRandomPassword (AWS-API.md §5.3): length 1–4096 (32 by default), character classes that
 * can be excluded, the space optional, and (by default) at least one character of every class
 * that remains. Characters are drawn with rejection sampling (no modulo bias) from core
 * randomBytes; when every class is required, whole candidates are redrawn until one has each
 * class, which keeps the choice uniform over the passwords allowed.
 */
export interface GetRandomPasswordInput {
  passwordLength?: number
  excludeCharacters?: string
  excludeNumbers?: boolean
  excludePunctuation?: boolean
  excludeUppercase?: boolean
  excludeLowercase?: boolean
  includeSpace?: boolean
  requireEachIncludedType?: boolean
}

// AWS: PasswordLength 1–4096, default 32; ExcludeCharacters ≤ 4096.
export const DEFAULT_PASSWORD_LENGTH = 32
export const MAX_PASSWORD_LENGTH = 4096
export const MAX_EXCLUDE_CHARACTERS = 4096
export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz'
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
export const DIGITS = '0123456789'
// AWS: the 32 ASCII punctuation characters.
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
// Redraws before falling back to placing one character of each class (only reachable for tiny lengths).
const MAX_REDRAWS = 1000

/** A uniform integer in [0, n) from the CSPRNG, without modulo bias (n ≤ 2^16). */
function uniform(n: number): number {
  const limit = 65536 - (65536 % n)
  for (;;) {
    const b = randomBytes(2)
    const x = (b[0]! << 8) | b[1]!
    if (x < limit) return x % n
  }
}

function draw(alphabet: string, length: number): string[] {
  const out: string[] = new Array(length)
  for (let i = 0; i < length; i++) out[i] = alphabet[uniform(alphabet.length)]!
  return out
}

export function getRandomPassword(input: GetRandomPasswordInput): { randomPassword: string } {
  const length = input.passwordLength ?? DEFAULT_PASSWORD_LENGTH
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_LENGTH)
    throw new ArcaError('Validation', `1 validation error detected: Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and ${MAX_PASSWORD_LENGTH}`, { field: 'passwordLength' })
  const exclude = new Set(input.excludeCharacters ?? '')
  if ((input.excludeCharacters ?? '').length > MAX_EXCLUDE_CHARACTERS)
    throw new ArcaError('Validation', `1 validation error detected: Value at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to ${MAX_EXCLUDE_CHARACTERS}`, { field: 'excludeCharacters' })
  const keep = (set: string) => [...set].filter((c) => !exclude.has(c)).join('')
  const classes: string[] = []
  if (!input.excludeLowercase) classes.push(keep(LOWERCASE))
  if (!input.excludeUppercase) classes.push(keep(UPPERCASE))
  if (!input.excludeNumbers) classes.push(keep(DIGITS))
  if (!input.excludePunctuation) classes.push(keep(PUNCTUATION))
  const required = classes.filter((c) => c.length > 0)
  const space = input.includeSpace && !exclude.has(' ') ? ' ' : ''
  const alphabet = required.join('') + space
  if (alphabet.length === 0) throw new ArcaError('InvalidParameter', 'The password cannot be generated: every character type was excluded.', { field: 'excludeCharacters' })
  const requireEach = input.requireEachIncludedType !== false
  if (requireEach && length < required.length)
    throw new ArcaError('InvalidParameter', `The password length ${length} is too short to include one character of each of the ${required.length} required types.`, { field: 'passwordLength' })
  if (!requireEach) return { randomPassword: draw(alphabet, length).join('') }
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const candidate = draw(alphabet, length)
    if (required.every((cls) => candidate.some((c) => cls.includes(c)))) return { randomPassword: candidate.join('') }
  }
  // One of each required class at random places, the rest from the whole alphabet.
  const chars = draw(alphabet, length)
  const slots = [...Array(length).keys()]
  for (let i = slots.length - 1; i > 0; i--) {
    const j = uniform(i + 1)
    ;[slots[i], slots[j]] = [slots[j]!, slots[i]!]
  }
  required.forEach((cls, k) => (chars[slots[k]!] = cls[uniform(cls.length)]!))
  return { randomPassword: chars.join('') }
}
