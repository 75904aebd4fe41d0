import { checkRotationStep, finishRotation, generatePendingSecret } from '../../src/services/rotation/contract.ts'
import type { RotationContext, RotationEvent } from '../../src/services/rotation/contract.ts'

/**
 * random-password: a new random value on every rotation, with GetRandomPassword's options from
 * the configuration. The whole secret is replaced, or with `field` set, one member of a JSON
 * secret. No external system is involved, so setSecret and testSecret have nothing to do.
 */
export async function handler(event: RotationEvent, context: RotationContext): Promise<void> {
  if (!(await checkRotationStep(event, context))) return
  const c = context.config
  switch (event.Step) {
    case 'createSecret':
      return generatePendingSecret(event, context, async (current) => {
        const { RandomPassword } = await context.secrets.getRandomPassword({
          PasswordLength: Number(c.passwordLength),
          ExcludeCharacters: String(c.excludeCharacters),
          ExcludeNumbers: c.excludeNumbers === true,
          ExcludePunctuation: c.excludePunctuation === true,
          ExcludeUppercase: c.excludeUppercase === true,
          ExcludeLowercase: c.excludeLowercase === true,
          IncludeSpace: c.includeSpace === true,
          RequireEachIncludedType: c.requireEachIncludedType !== false,
        })
        const field = String(c.field ?? '')
        if (!field) return RandomPassword
        let doc: Record<string, unknown>
        try {
          doc = JSON.parse(current) as Record<string, unknown>
        } catch {
          throw new Error(`the secret is not a JSON object, so its member '${field}' cannot be replaced`)
        }
        return JSON.stringify({ ...doc, [field]: RandomPassword })
      })
    case 'setSecret':
    case 'testSecret':
      return
    case 'finishSecret':
      return finishRotation(event, context)
    default:
      throw new Error(`unknown step ${String(event.Step)}`)
  }
}
