import type { Principal } from '../../services/identity/index.ts'
import { ArcaError, isArcaError } from '../../core/index.ts'
import { awsError } from './errors.ts'

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/'

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
}

/** STS over awsQuery: only GetCallerIdentity, which is what SDKs and the CLI use to check credentials. */
export function stsAction(form: URLSearchParams, principal: Principal, requestId: string): string {
  const action = form.get('Action')
  if (action !== 'GetCallerIdentity') throw new ArcaError('UnsupportedOperation', `STS action ${action ?? '(none)'} is not supported by Arca.`)
  return (
    `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>` +
    `<Arn>${xmlEscape(principal.arn)}</Arn><UserId>${xmlEscape(principal.id)}</UserId><Account>${principal.account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
  )
}

export function stsError(err: unknown, requestId: string): { status: number; body: string } {
  const e = isArcaError(err) ? err : new ArcaError('Internal', 'An internal error occurred.')
  const row = awsError(e.code, 'sts')
  const type = row.status >= 500 ? 'Receiver' : 'Sender'
  return {
    status: row.status,
    body:
      `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${row.type}</Code>` +
      `<Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  }
}
