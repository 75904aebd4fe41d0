import { isIP } from 'node:net'

/**
 * IPv4 and IPv6 CIDR matching for IpAddress/NotIpAddress. Addresses become four 32-bit words
 * (IPv4 in the last word), so a test is a few integer compares; node:net's BlockList allocates
 * a SocketAddress per check, which dominated the evaluation profile.
 */
export interface Cidr {
  v6: boolean
  words: readonly number[]
  prefix: number
}

interface Parsed {
  v6: boolean
  words: number[]
}

function parseV4(s: string): number {
  const p = s.split('.')
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0
}

function parseV6(s: string): number[] {
  let text = s
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is the last two groups.
    const v4 = parseV4(text.slice(lastColon + 1))
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const [head, rest] = text.split('::')
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((h) => Number.parseInt(h, 16)))
  const a = hex(head)
  const b = rest === undefined ? [] : hex(rest)
  const groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b]
  const words: number[] = []
  for (let i = 0; i < 8; i += 2) words.push(((groups[i] << 16) | groups[i + 1]) >>> 0)
  return words
}

/** `::ffff:a.b.c.d` (how Node reports IPv4 peers on dual-stack sockets) counts as IPv4. */
export function parseIp(ip: string): Parsed | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  const address = mapped ? mapped[1] : ip
  const v = isIP(address)
  if (v === 4) return { v6: false, words: [0, 0, 0, parseV4(address)] }
  if (v === 6) return { v6: true, words: parseV6(address) }
  return undefined
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, extra] = text.split('/')
  const ip = parseIp(addr)
  if (!ip || extra !== undefined) return undefined
  const max = ip.v6 ? 128 : 32
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN
  if (!(prefix >= 0 && prefix <= max)) return undefined
  return { v6: ip.v6, words: ip.words, prefix: ip.v6 ? prefix : 96 + prefix }
}

// The request's address is the same string for every statement of one evaluation: parse it once.
let lastText: string | undefined
let lastParsed: Parsed | undefined

export function inCidrs(ip: string, cidrs: readonly Cidr[]): boolean {
  if (ip !== lastText) {
    lastText = ip
    lastParsed = parseIp(ip)
  }
  const p = lastParsed
  if (!p) return false
  for (const c of cidrs) {
    if (c.v6 !== p.v6) continue
    let bits = c.prefix
    let ok = true
    for (let w = 0; w < 4 && bits > 0; w++, bits -= 32) {
      const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0
      if (((p.words[w] & mask) >>> 0) !== ((c.words[w] & mask) >>> 0)) {
        ok = false
        break
      }
    }
    if (ok) return true
  }
  return false
}
