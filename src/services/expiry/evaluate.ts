import type { ExpiryPolicy, ExpiryPolicyType } from './grammar.ts'

/** Where an item's timestamps live: the only thing an item type contributes to evaluation. */
export interface ItemTimes {
  /** The last new value (version). */
  changedAt: number
  /** The last read (tracked at most once an hour). */
  accessedAt: number
}

export interface DueMoment {
  policyType: ExpiryPolicyType
  text: string
  dueAt: number
}

/** The one evaluator: when each policy acts, for any item type. */
export function dueMoments(policies: readonly ExpiryPolicy[], times: ItemTimes): DueMoment[] {
  const expiry = policies.find((p) => p.type === 'Expiration')?.at
  const out: DueMoment[] = []
  for (const p of policies) {
    let dueAt: number | undefined
    if (p.type === 'Expiration') dueAt = p.at
    else if (p.type === 'ExpirationNotification') dueAt = expiry === undefined ? undefined : expiry - p.offsetMs!
    else if (p.type === 'NoChangeNotification') dueAt = times.changedAt + p.offsetMs!
    else dueAt = times.accessedAt + p.offsetMs!
    if (dueAt !== undefined) out.push({ policyType: p.type, text: p.text, dueAt })
  }
  return out.sort((a, b) => a.dueAt - b.dueAt)
}

/** When the item expires (its Expiration policy), if it has one. */
export function expiresAt(policies: readonly ExpiryPolicy[]): number | undefined {
  return policies.find((p) => p.type === 'Expiration')?.at
}
