import dns from 'node:dns'
import net from 'node:net'
import { ArcaError } from '../../core/index.ts'

/**
 * SSRF: a webhook makes Arca send requests where a tenant says, from inside the operator's
 * network. Unchecked, a tenant could point one at the cloud metadata service
 * (169.254.169.254), at databases and admin consoles on private addresses, or at anything else
 * reachable only from Arca's host. So:
 *  - only http: and https: URLs, without credentials in them;
 *  - loopback is allowed: users run receivers beside Arca, and a loopback receiver is already
 *    the operator's own machine;
 *  - private (RFC 1918, CGNAT, IPv6 ULA) and link-local (incl. metadata) addresses are refused
 *    unless the operator sets ARCA_WEBHOOK_ALLOW_PRIVATE=true; unspecified, multicast,
 *    broadcast and reserved addresses are always refused;
 *  - the check runs on every address a name resolves to, when the webhook is saved and again
 *    before every delivery (DNS rebinding: a name that was public when saved may later resolve
 *    to a private address);
 *  - redirects are not followed (a 3xx to an internal address would skip the check).
 * What remains is the short window between the delivery-time lookup and the connection's own
 * lookup; resolvers cache, and closing it fully needs pinning the connection to the checked
 * address, which `fetch` does not offer.
 */
// Arca: the longest target URL accepted (common browser and proxy limit).
export const MAX_URL_LENGTH = 2048

const LOOPBACK = new net.BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

const PRIVATE = new net.BlockList()
for (const [net4, bits] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['169.254.0.0', 16]] as const) {
  PRIVATE.addSubnet(net4, bits, 'ipv4')
}
PRIVATE.addSubnet('fc00::', 7, 'ipv6')
PRIVATE.addSubnet('fe80::', 10, 'ipv6')

const NEVER = new net.BlockList()
for (const [net4, bits] of [['0.0.0.0', 8], ['224.0.0.0', 4], ['240.0.0.0', 4], ['192.0.0.0', 24], ['198.18.0.0', 15]] as const) {
  NEVER.addSubnet(net4, bits, 'ipv4')
}
NEVER.addAddress('::', 'ipv6')
NEVER.addSubnet('ff00::', 8, 'ipv6')

export type AddressClass = 'loopback' | 'private' | 'refused' | 'public'

/** IPv4-mapped (::ffff:a.b.c.d) and NAT64-free IPv6 are judged by the IPv4 address inside. */
function unmap(address: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return { ip: mapped[1], family: 'ipv4' }
  return { ip: address, family: net.isIPv6(address) ? 'ipv6' : 'ipv4' }
}

export function classifyAddress(address: string): AddressClass {
  const { ip, family } = unmap(address)
  if (LOOPBACK.check(ip, family)) return 'loopback'
  if (NEVER.check(ip, family)) return 'refused'
  if (PRIVATE.check(ip, family)) return 'private'
  return 'public'
}

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>

export const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true })

export interface TargetPolicy {
  allowPrivate: boolean
  lookup: Lookup
}

/** Parses a webhook URL: http(s), no credentials, bounded length. Throws Validation naming `field`. */
export function parseTargetUrl(raw: unknown, field = 'url'): URL {
  if (typeof raw !== 'string' || raw.length === 0) throw new ArcaError('Validation', `'${field}' must be an http or https URL.`, { field })
  if (raw.length > MAX_URL_LENGTH) throw new ArcaError('Validation', `'${field}' must be at most ${MAX_URL_LENGTH} characters.`, { field })
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ArcaError('Validation', `'${field}' is not a valid URL.`, { field })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ArcaError('Validation', `'${field}' must use http or https, not ${url.protocol.slice(0, -1)}.`, { field })
  if (url.username || url.password) throw new ArcaError('Validation', `'${field}' must not carry credentials; receivers verify the arca-signature header instead.`, { field })
  return url
}

function refusal(field: string, host: string, cls: AddressClass): ArcaError {
  const why =
    cls === 'private'
      ? 'is a private or link-local address; the operator must set ARCA_WEBHOOK_ALLOW_PRIVATE=true to allow it'
      : 'is not an address a webhook may target'
  return new ArcaError('Validation', `'${field}' host ${host} ${why}.`, { field })
}

/**
 * Checks every address the URL's host stands for. `strictResolve`: an unresolvable name is an
 * error (at delivery); when saving a webhook it is accepted, the delivery check decides later.
 */
export async function checkTarget(url: URL, policy: TargetPolicy, opts: { field?: string; strictResolve?: boolean } = {}): Promise<void> {
  const field = opts.field ?? 'url'
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  let addresses: string[]
  if (net.isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await policy.lookup(host)).map((a) => a.address)
    } catch (e) {
      if (opts.strictResolve) throw new ArcaError('Validation', `host ${host} does not resolve (${(e as { code?: string }).code ?? 'lookup failed'}).`, { field })
      return
    }
  }
  for (const a of addresses) {
    const cls = classifyAddress(a)
    if (cls === 'refused' || (cls === 'private' && !policy.allowPrivate)) throw refusal(field, host, cls)
  }
}
