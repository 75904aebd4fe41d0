/** The one place ARNs are built and parsed. */
export interface Arn {
  partition: string
  service: string
  region: string
  account: string
  /** Everything after the fifth colon, e.g. `key/1234…` or `alias/app`. */
  resource: string
}

export function formatArn(a: Omit<Arn, 'partition'> & { partition?: string }): string {
  return `arn:${a.partition ?? 'aws'}:${a.service}:${a.region}:${a.account}:${a.resource}`
}

export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined
  const parts = text.split(':')
  if (parts.length < 6) return undefined
  const [, partition, service, region, account] = parts
  if (!partition || !service) return undefined
  return { partition, service, region, account, resource: parts.slice(5).join(':') }
}

export const kmsKeyArn = (region: string, account: string, keyId: string) =>
  formatArn({ service: 'kms', region, account, resource: `key/${keyId}` })

export const kmsAliasArn = (region: string, account: string, aliasName: string) =>
  formatArn({ service: 'kms', region, account, resource: aliasName })

export const iamArn = (account: string, kind: 'user' | 'role' | 'root', name?: string) =>
  formatArn({ service: 'iam', region: '', account, resource: kind === 'root' ? 'root' : `${kind}/${name}` })

export const accountRootArn = (account: string) => iamArn(account, 'root')
