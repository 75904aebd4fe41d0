import type { Duplex } from 'node:stream'
import {
  CommitmentPolicy,
  KmsKeyringNode,
  type KeyringNode,
  NodeCachingMaterialsManager,
  buildClient,
  getLocalCryptographicMaterialsCache,
} from '@aws-crypto/client-node'
import { ArcaError } from '../core/index.ts'
import { type EnvelopeKmsClient, type KmsConnection, kmsClientFor } from './envelope-kms.ts'

/** Data-key cache limits; every one is required by the SDK's caching materials manager. */
export interface DataKeyCacheOptions {
  /** How long one data key may be used, in ms. */
  maxAgeMs: number
  /** Messages one data key may encrypt. */
  maxMessages: number
  /** Plaintext bytes one data key may encrypt. */
  maxBytes: number
  /** Data keys held at once (least recently used leave first). */
  capacity: number
}

/**
 * Conservative defaults, well inside the AWS Encryption SDK's own guidance: a data key lives one
 * minute, encrypts at most 1,000 messages and 100 MiB. The SDK caps messages per data key at 2^32.
 */
export const DEFAULT_DATA_KEY_CACHE: Readonly<DataKeyCacheOptions> = { maxAgeMs: 60_000, maxMessages: 1_000, maxBytes: 100 * 1024 * 1024, capacity: 100 }

export type EncryptionContext = Record<string, string>

export interface EnvelopeOptions extends KmsConnection {
  /** false: every message asks KMS for a new data key. */
  cache?: Partial<DataKeyCacheOptions> | false
  /** Frame size of messages written (the SDK's default is 4096). */
  frameLength?: number
}

export interface EnvelopeEncryptOptions {
  /** Key ids, aliases or ARNs; the first generates the data key, the others also wrap it. */
  keys: string[]
  context?: EncryptionContext
}

export interface Decrypted {
  plaintext: Buffer
  context: EncryptionContext
}

// The SDK adds its own `aws-crypto-*` pairs (the signing public key); callers compare only theirs.
const RESERVED_PREFIX = 'aws-crypto-'

/**
 * Envelope encryption in the AWS Encryption SDK message format (the default committing suite with
 * ECDSA P-384 signatures) with KMS keys on Arca. Encryption goes through a data-key cache
 * partitioned by key list and by encryption context (the SDK's cache key includes the context):
 * a message never reuses a data key made for another context.
 */
export function createEnvelope(opts: EnvelopeOptions) {
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const clients = new Map<string, EnvelopeKmsClient>()
  const clientProvider = (region: string) => {
    let c = clients.get(region)
    if (!c) clients.set(region, (c = kmsClientFor(opts, region)))
    return c as never
  }
  const limits = opts.cache === false ? undefined : { ...DEFAULT_DATA_KEY_CACHE, ...opts.cache }
  const cache = limits ? getLocalCryptographicMaterialsCache(limits.capacity) : undefined
  const managers = new Map<string, KeyringNode | NodeCachingMaterialsManager>()
  const encrypter = (keys: string[]) => {
    if (keys.length === 0) throw new ArcaError('Validation', 'at least one KMS key (--key) is needed to encrypt')
    const id = JSON.stringify(keys)
    let m = managers.get(id)
    if (!m) {
      const keyring = new KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1), clientProvider })
      m = cache && limits
        ? new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, partition: id, maxAge: limits.maxAgeMs, maxMessagesEncrypted: limits.maxMessages, maxBytesEncrypted: limits.maxBytes })
        : keyring
      managers.set(id, m)
    }
    return m
  }
  // Decrypts with any KMS key the caller may use (the message names its keys' ARNs).
  const discovery = new KmsKeyringNode({ discovery: true, clientProvider })
  const frame = opts.frameLength ? { frameLength: opts.frameLength } : {}

  return {
    /** Encrypts one message held in memory. */
    async encrypt(plaintext: Uint8Array | string, o: EnvelopeEncryptOptions): Promise<Buffer> {
      const data = typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext
      const { result } = await sdk.encrypt(encrypter(o.keys), data, { encryptionContext: o.context ?? {}, plaintextLength: data.length, ...frame })
      return result
    },
    /** Decrypts one message; `context` pairs, when given, must all be in the message's context. */
    async decrypt(message: Uint8Array, o: { context?: EncryptionContext } = {}): Promise<Decrypted> {
      const { plaintext, messageHeader } = await sdk.decrypt(discovery, message)
      checkContext(messageHeader.encryptionContext, o.context)
      return { plaintext, context: userContext(messageHeader.encryptionContext) }
    },
    /**
     * A transform from plaintext to a message; memory stays at a few frames whatever the size.
     * No plaintextLength: the SDK (4.2.4) miscounts it when a chunk spans several frames, and
     * without it the caching manager asks KMS for a fresh data key per stream, as is right for
     * a large message.
     */
    encryptStream(o: EnvelopeEncryptOptions): Duplex {
      return sdk.encryptStream(encrypter(o.keys), { encryptionContext: o.context ?? {}, ...frame })
    },
    /**
     * A transform from a message to its plaintext. The context is checked as soon as the header
     * is read, before any plaintext leaves; a failed check destroys the stream with the reason.
     */
    decryptStream(o: { context?: EncryptionContext } = {}): Duplex {
      const stream = sdk.decryptStream(discovery)
      stream.once('MessageHeader', (header: { encryptionContext: EncryptionContext }) => {
        try {
          checkContext(header.encryptionContext, o.context)
        } catch (e) {
          stream.destroy(e as Error)
        }
      })
      return stream
    },
  }
}

export type Envelope = ReturnType<typeof createEnvelope>

/** Refuses a message whose context lacks one of the required pairs (names only in the message). */
export function checkContext(actual: EncryptionContext, required: EncryptionContext | undefined): void {
  for (const [k, v] of Object.entries(required ?? {})) {
    if (actual[k] !== v) throw new ArcaError('InvalidCiphertext', `the message's encryption context does not have the required pair for '${k}'`)
  }
}

function userContext(ctx: EncryptionContext): EncryptionContext {
  return Object.fromEntries(Object.entries(ctx).filter(([k]) => !k.startsWith(RESERVED_PREFIX)))
}
