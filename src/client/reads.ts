import type { RestClient } from './rest.ts'

/** A parameter as the REST API returns it (value decrypted). */
export interface ParameterValue {
  name: string
  type: string
  value: string
  version: number
  arn: string
  lastModifiedDate: string
  dataType?: string
}

/** A secret version as the REST API returns it: `value` (text) or `valueBase64` (bytes). */
export interface SecretValue {
  arn: string
  name: string
  versionId: string
  versionStages: string[]
  value?: string
  valueBase64?: string
  createdDate?: string
}

// Arca: the REST API's largest page for a subtree read (SSM's GetParametersByPath allows 10).
const PAGE = '10'

/** `/v1/parameters/<name>` with each segment percent-encoded (a name without '/' gets one). */
export function parameterUrl(name: string): string {
  const n = name.startsWith('/') ? name : `/${name}`
  return '/v1/parameters' + n.split('/').map(encodeURIComponent).join('/')
}

export function secretUrl(id: string): string {
  return '/v1/secrets/' + id.split('/').map(encodeURIComponent).join('/')
}

/** One parameter, decrypted; `name:3` or `name:label` picks a version as in SSM. */
export async function readParameter(rest: RestClient, name: string): Promise<ParameterValue> {
  const m = /^(.*?):([^:/]+)$/.exec(name)
  const [base, selector] = m ? [m[1], m[2]] : [name, undefined]
  const q: Record<string, string> = { decrypt: 'true' }
  if (selector !== undefined) q[/^\d+$/.test(selector) ? 'version' : 'label'] = selector
  // A last segment spelled `history` or `labels` is addressed as itself.
  if (/\/(history|labels)$/.test(base)) q.parameter = 'true'
  return rest.request<ParameterValue>('GET', parameterUrl(base), undefined, q)
}

/** Every parameter under `path`, decrypted, following the cursor to the end. */
export async function readParametersByPath(rest: RestClient, path: string, recursive: boolean, onPage?: (n: number) => void): Promise<ParameterValue[]> {
  const url = path === '/' ? '/v1/parameters/' : parameterUrl(path.replace(/\/+$/, '')) + '/'
  const out: ParameterValue[] = []
  let cursor: string | undefined
  do {
    const page = await rest.request<{ parameters: ParameterValue[]; nextCursor?: string }>('GET', url, undefined, { recursive: String(recursive), decrypt: 'true', limit: PAGE, cursor })
    out.push(...page.parameters)
    onPage?.(out.length)
    cursor = page.nextCursor
  } while (cursor)
  return out
}

export async function readSecret(rest: RestClient, id: string, o: { stage?: string; versionId?: string } = {}): Promise<SecretValue> {
  return rest.request<SecretValue>('GET', secretUrl(id), undefined, { stage: o.stage, version: o.versionId, ...(/\/(restore|metadata|versions|stages|policy|tags)$/.test(id) ? { secret: 'true' } : {}) })
}
