/**
 * Cryptographic operations through the real @aws-sdk/client-kms against a real server, with
 * node:crypto as the independent check wherever it can be (SPKI public keys, signatures, OAEP,
 * ECDH, PKCS#8 data key pairs), and the error classes the SDK must surface.
 */
import crypto from 'node:crypto'
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisabledException,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  InvalidKeyUsageException,
  type KMSClient,
  KMSInvalidMacException,
  KMSInvalidSignatureException,
  KMSInvalidStateException,
  KMSServiceException,
  ReEncryptCommand,
  SignCommand,
  UnsupportedOperationException,
  VerifyCommand,
  VerifyMacCommand,
  DryRunOperationException,
  NotFoundException,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kmsClient, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let kms: KMSClient
/** Keys made once per file (RSA generation is slow). */
const keys: Record<string, string> = {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const keyArn = (id: string) => `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${id}`
const enc = new TextEncoder()
const bytes = (s: string) => enc.encode(s)

async function newKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!
}

async function clientError(p: Promise<unknown>): Promise<KMSServiceException> {
  const e = await sdkError(p)
  expect(e).toBeInstanceOf(KMSServiceException)
  expect(e.$metadata.httpStatusCode).toBe(400)
  expect(e.$metadata.requestId).toMatch(UUID)
  return e as unknown as KMSServiceException
}

async function publicKeyOf(id: string): Promise<crypto.KeyObject> {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: id }))
  return crypto.createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' })
}

beforeAll(async () => {
  t = await startTestServer()
  kms = kmsClient(t)
  const specs: [string, string, string][] = [
    ['sym', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
    ['sym2', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
    ['rsaEnc', 'RSA_2048', 'ENCRYPT_DECRYPT'],
    ['rsa4096', 'RSA_4096', 'ENCRYPT_DECRYPT'],
    ['rsaSign', 'RSA_3072', 'SIGN_VERIFY'],
    ['p256', 'ECC_NIST_P256', 'SIGN_VERIFY'],
    ['p384', 'ECC_NIST_P384', 'SIGN_VERIFY'],
    ['p521', 'ECC_NIST_P521', 'SIGN_VERIFY'],
    ['k256', 'ECC_SECG_P256K1', 'SIGN_VERIFY'],
    ['ed25519', 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'],
    ['mldsa', 'ML_DSA_44', 'SIGN_VERIFY'],
    ['hmac256', 'HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['hmac512', 'HMAC_512', 'GENERATE_VERIFY_MAC'],
    ['ecdh', 'ECC_NIST_P256', 'KEY_AGREEMENT'],
    ['ecdh384', 'ECC_NIST_P384', 'KEY_AGREEMENT'],
  ]
  await Promise.all(specs.map(async ([name, spec, usage]) => (keys[name] = await newKey({ KeySpec: spec as never, KeyUsage: usage as never }))))
  await kms.send(new (await import('@aws-sdk/client-kms')).CreateAliasCommand({ AliasName: 'alias/crypto', TargetKeyId: keys.sym }))
}, 120_000)
afterAll(async () => {
  kms?.destroy()
  await t?.stop()
})

describe('Encrypt / Decrypt / ReEncrypt (symmetric)', () => {
  it('round-trips with an EncryptionContext; Decrypt needs no KeyId; outputs name the key ARN', async () => {
    const ctx = { app: 'web', tenant: 'a' }
    const e = await kms.send(new EncryptCommand({ KeyId: 'alias/crypto', Plaintext: bytes('secret'), EncryptionContext: ctx }))
    expect(e.KeyId).toBe(keyArn(keys.sym!))
    expect(e.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')
    expect(e.CiphertextBlob).toBeInstanceOf(Uint8Array)
    expect(e.$metadata.httpStatusCode).toBe(200)
    expect(e.$metadata.requestId).toMatch(UUID)

    const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { tenant: 'a', app: 'web' } }))
    expect(new TextDecoder().decode(d.Plaintext)).toBe('secret')
    expect(d.KeyId).toBe(keyArn(keys.sym!))
    expect(d.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')

    const withId = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: ctx, KeyId: keys.sym }))
    expect(new TextDecoder().decode(withId.Plaintext)).toBe('secret')
  })

  it('wrong or missing context and tampering are InvalidCiphertextException; another key is IncorrectKeyException', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: keys.sym, Plaintext: bytes('x'), EncryptionContext: { a: 'b' } }))
    let err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })))
    expect(err).toBeInstanceOf(InvalidCiphertextException)
    err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { a: 'B' } })))
    expect(err).toBeInstanceOf(InvalidCiphertextException)
    const blob = new Uint8Array(e.CiphertextBlob!)
    blob[blob.length - 1]! ^= 1
    err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: 'b' } })))
    expect(err).toBeInstanceOf(InvalidCiphertextException)
    err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: bytes('not a ciphertext at all') })))
    expect(err).toBeInstanceOf(InvalidCiphertextException)
    err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { a: 'b' }, KeyId: keys.sym2 })))
    expect(err).toBeInstanceOf(IncorrectKeyException)
    expect(err.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.')
  })

  it('ReEncrypt moves a ciphertext to another key and context', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: keys.sym, Plaintext: bytes('move me'), EncryptionContext: { from: '1' } }))
    const r = await kms.send(
      new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { from: '1' }, DestinationKeyId: keys.sym2, DestinationEncryptionContext: { to: '2' } }),
    )
    expect(r).toMatchObject({ SourceKeyId: keyArn(keys.sym!), KeyId: keyArn(keys.sym2!), SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { to: '2' } }))
    expect(d.KeyId).toBe(keyArn(keys.sym2!))
    expect(new TextDecoder().decode(d.Plaintext)).toBe('move me')
    const err = await clientError(kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: keys.sym2 })))
    expect(err).toBeInstanceOf(InvalidCiphertextException)
  })

  it('plaintext over 4096 bytes and empty plaintext are ValidationException with AWS wording', async () => {
    let err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.sym, Plaintext: new Uint8Array(4097) })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
    err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.sym, Plaintext: new Uint8Array(0) })))
    expect(err.name).toBe('ValidationException')
    await kms.send(new EncryptCommand({ KeyId: keys.sym, Plaintext: new Uint8Array(4096) }))
  })

  it('a signing key cannot encrypt: InvalidKeyUsageException; a missing key: NotFoundException', async () => {
    let err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.p256, Plaintext: bytes('x') })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
    expect(err.message).toBe(`${keyArn(keys.p256!)} key usage is SIGN_VERIFY which is not valid for Encrypt.`)
    err = await clientError(kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: bytes('x') })))
    expect(err).toBeInstanceOf(NotFoundException)
  })

  it('DryRun answers DryRunOperationException and does nothing', async () => {
    const err = await clientError(kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, KeySpec: 'AES_256', DryRun: true })))
    expect(err).toBeInstanceOf(DryRunOperationException)
  })
})

describe('RSA encryption', () => {
  it('ciphertext made outside with GetPublicKey and OAEP decrypts; Encrypt output decrypts', async () => {
    const pub = await publicKeyOf(keys.rsaEnc!)
    expect(pub.asymmetricKeyType).toBe('rsa')
    expect(pub.asymmetricKeyDetails!.modulusLength).toBe(2048)
    const outside = crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('made outside'))
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: outside, KeyId: keys.rsaEnc, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
    expect(Buffer.from(d.Plaintext!).toString()).toBe('made outside')
    expect(d.EncryptionAlgorithm).toBe('RSAES_OAEP_SHA_256')

    const e = await kms.send(new EncryptCommand({ KeyId: keys.rsaEnc, Plaintext: bytes('inside'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }))
    expect(e.CiphertextBlob).toHaveLength(256)
    const d2 = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: keys.rsaEnc, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }))
    expect(Buffer.from(d2.Plaintext!).toString()).toBe('inside')
  })

  it('enforces the OAEP plaintext caps (2048: 190 with SHA-256; 4096: 446)', async () => {
    await kms.send(new EncryptCommand({ KeyId: keys.rsaEnc, Plaintext: new Uint8Array(190), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
    let err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.rsaEnc, Plaintext: new Uint8Array(191), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })))
    expect(err.name).toBe('ValidationException')
    const big = await kms.send(new EncryptCommand({ KeyId: keys.rsa4096, Plaintext: new Uint8Array(446).fill(7), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
    expect(big.CiphertextBlob).toHaveLength(512)
    err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.rsa4096, Plaintext: new Uint8Array(447), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })))
    expect(err.name).toBe('ValidationException')
  })

  it('asymmetric keys refuse contexts and the symmetric algorithm', async () => {
    let err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.rsaEnc, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } })))
    expect(err.name).toBe('ValidationException')
    err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.rsaEnc, Plaintext: bytes('x') })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
  })
})

describe('data keys and randomness', () => {
  it('GenerateDataKey (KeySpec and NumberOfBytes) and WithoutPlaintext', async () => {
    const g = await kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, KeySpec: 'AES_256', EncryptionContext: { purpose: 'dek' } }))
    expect(g.Plaintext).toHaveLength(32)
    expect(g.KeyId).toBe(keyArn(keys.sym!))
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: { purpose: 'dek' } }))
    expect(Buffer.from(d.Plaintext!).equals(Buffer.from(g.Plaintext!))).toBe(true)

    const n = await kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, NumberOfBytes: 17 }))
    expect(n.Plaintext).toHaveLength(17)
    const a128 = await kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, KeySpec: 'AES_128' }))
    expect(a128.Plaintext).toHaveLength(16)

    const w = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keys.sym, KeySpec: 'AES_256' }))
    expect((w as { Plaintext?: unknown }).Plaintext).toBeUndefined()
    expect(w.KeyId).toBe(keyArn(keys.sym!))
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: w.CiphertextBlob }))).Plaintext).toHaveLength(32)
  })

  it('GenerateDataKey: neither or both size options, 1025 bytes, an RSA key → errors', async () => {
    let err = await clientError(kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym })))
    expect(err.name).toBe('ValidationException')
    err = await clientError(kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, KeySpec: 'AES_256', NumberOfBytes: 32 })))
    expect(err.name).toBe('ValidationException')
    err = await clientError(kms.send(new GenerateDataKeyCommand({ KeyId: keys.sym, NumberOfBytes: 1025 })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe("1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")
    err = await clientError(kms.send(new GenerateDataKeyCommand({ KeyId: keys.rsaEnc, KeySpec: 'AES_256' })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
  })

  it('GenerateRandom', async () => {
    const r = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))
    expect(r.Plaintext).toHaveLength(64)
    const r2 = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))
    expect(Buffer.from(r.Plaintext!).equals(Buffer.from(r2.Plaintext!))).toBe(false)
    let err = await clientError(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })))
    expect(err.message).toBe("1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")
    err = await clientError(kms.send(new GenerateRandomCommand({})))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe('NumberOfBytes is required.')
  })

  const pairs: [string, (k: crypto.KeyObject) => void][] = [
    ['RSA_2048', (k) => expect(k.asymmetricKeyDetails!.modulusLength).toBe(2048)],
    ['ECC_NIST_P256', (k) => expect(k.asymmetricKeyDetails!.namedCurve).toBe('prime256v1')],
    ['ECC_NIST_P384', (k) => expect(k.asymmetricKeyDetails!.namedCurve).toBe('secp384r1')],
    ['ECC_NIST_P521', (k) => expect(k.asymmetricKeyDetails!.namedCurve).toBe('secp521r1')],
    ['ECC_SECG_P256K1', (k) => expect(k.asymmetricKeyDetails!.namedCurve).toBe('secp256k1')],
    ['ECC_NIST_EDWARDS25519', (k) => expect(k.asymmetricKeyType).toBe('ed25519')],
  ]
  it.each(pairs)('GenerateDataKeyPair %s: PKCS#8 private key matching the SPKI public key; the wrapped private key decrypts', async (spec, check) => {
    const p = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keys.sym, KeyPairSpec: spec as never, EncryptionContext: { pair: spec } }))
    expect(p.KeyPairSpec).toBe(spec)
    expect(p.KeyId).toBe(keyArn(keys.sym!))
    const priv = crypto.createPrivateKey({ key: Buffer.from(p.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' })
    const pub = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' })
    check(pub)
    const derived = crypto.createPublicKey(priv).export({ format: 'der', type: 'spki' })
    expect(derived.equals(Buffer.from(p.PublicKey!))).toBe(true)
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: p.PrivateKeyCiphertextBlob, EncryptionContext: { pair: spec } }))
    expect(Buffer.from(d.Plaintext!).equals(Buffer.from(p.PrivateKeyPlaintext!))).toBe(true)
  })

  it('GenerateDataKeyPairWithoutPlaintext', async () => {
    const p = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keys.sym, KeyPairSpec: 'ECC_NIST_P256' }))
    expect((p as { PrivateKeyPlaintext?: unknown }).PrivateKeyPlaintext).toBeUndefined()
    expect(p.PrivateKeyCiphertextBlob!.length).toBeGreaterThan(0)
    const pub = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' })
    const priv = crypto.createPrivateKey({ key: Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: p.PrivateKeyCiphertextBlob }))).Plaintext!), format: 'der', type: 'pkcs8' })
    const sig = crypto.sign('sha256', Buffer.from('m'), priv)
    expect(crypto.verify('sha256', Buffer.from('m'), pub, sig)).toBe(true)
  })
})

describe('Sign / Verify', () => {
  const hashOf: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }
  const cases: [string, string][] = [
    ['rsaSign', 'RSASSA_PSS_SHA_256'],
    ['rsaSign', 'RSASSA_PSS_SHA_512'],
    ['rsaSign', 'RSASSA_PKCS1_V1_5_SHA_256'],
    ['rsaSign', 'RSASSA_PKCS1_V1_5_SHA_384'],
    ['p256', 'ECDSA_SHA_256'],
    ['p384', 'ECDSA_SHA_384'],
    ['p521', 'ECDSA_SHA_512'],
    ['k256', 'ECDSA_SHA_256'],
  ]
  it.each(cases)('%s %s: RAW and DIGEST signatures verify with node:crypto and with Verify', async (name, alg) => {
    const id = keys[name]!
    const hash = hashOf[/(\d{3})$/.exec(alg)![1]!]!
    const pub = await publicKeyOf(id)
    const opts = alg.startsWith('RSASSA_PSS')
      ? { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.createHash(hash).digest().length }
      : alg.startsWith('RSASSA_PKCS1')
        ? { key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }
        : { key: pub, dsaEncoding: 'der' as const }
    const message = bytes(`message for ${alg}`)

    const raw = await kms.send(new SignCommand({ KeyId: id, Message: message, SigningAlgorithm: alg as never }))
    expect(raw).toMatchObject({ KeyId: keyArn(id), SigningAlgorithm: alg })
    expect(crypto.verify(hash, message, opts, Buffer.from(raw.Signature!))).toBe(true)

    const digest = crypto.createHash(hash).update(message).digest()
    const dig = await kms.send(new SignCommand({ KeyId: id, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: alg as never }))
    expect(crypto.verify(hash, message, opts, Buffer.from(dig.Signature!))).toBe(true)

    const v = await kms.send(new VerifyCommand({ KeyId: id, Message: message, Signature: raw.Signature, SigningAlgorithm: alg as never }))
    expect(v).toMatchObject({ KeyId: keyArn(id), SignatureValid: true, SigningAlgorithm: alg })
    const vd = await kms.send(new VerifyCommand({ KeyId: id, Message: digest, MessageType: 'DIGEST', Signature: dig.Signature, SigningAlgorithm: alg as never }))
    expect(vd.SignatureValid).toBe(true)

    const bad = await clientError(kms.send(new VerifyCommand({ KeyId: id, Message: bytes('other'), Signature: raw.Signature, SigningAlgorithm: alg as never })))
    expect(bad).toBeInstanceOf(KMSInvalidSignatureException)
  })

  it('Ed25519: RAW verifies with node:crypto; ED25519_PH_SHA_512 over a DIGEST verifies with Verify', async () => {
    const id = keys.ed25519!
    const pub = await publicKeyOf(id)
    expect(pub.asymmetricKeyType).toBe('ed25519')
    const m = bytes('edwards')
    const s = await kms.send(new SignCommand({ KeyId: id, Message: m, SigningAlgorithm: 'ED25519_SHA_512' }))
    expect(crypto.verify(null, m, pub, Buffer.from(s.Signature!))).toBe(true)
    const digest = crypto.createHash('sha512').update(m).digest()
    const ph = await kms.send(new SignCommand({ KeyId: id, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512' }))
    expect((await kms.send(new VerifyCommand({ KeyId: id, Message: digest, MessageType: 'DIGEST', Signature: ph.Signature, SigningAlgorithm: 'ED25519_PH_SHA_512' }))).SignatureValid).toBe(true)
  })

  it('ML-DSA signs and verifies', async () => {
    const id = keys.mldsa!
    const m = bytes('post-quantum')
    const s = await kms.send(new SignCommand({ KeyId: id, Message: m, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))
    expect(s.Signature).toHaveLength(2420)
    expect((await kms.send(new VerifyCommand({ KeyId: id, Message: m, Signature: s.Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))).SignatureValid).toBe(true)
    const tampered = new Uint8Array(s.Signature!)
    tampered[10]! ^= 0x40
    const err = await clientError(kms.send(new VerifyCommand({ KeyId: id, Message: m, Signature: tampered, SigningAlgorithm: 'ML_DSA_SHAKE_256' })))
    expect(err).toBeInstanceOf(KMSInvalidSignatureException)
  })

  it('wrong digest length is ValidationException; wrong algorithm or key usage is InvalidKeyUsageException', async () => {
    let err = await clientError(kms.send(new SignCommand({ KeyId: keys.p256, Message: new Uint8Array(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe('Digest is invalid length for algorithm ECDSA_SHA_256.')
    err = await clientError(kms.send(new SignCommand({ KeyId: keys.p256, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_384' })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
    err = await clientError(kms.send(new SignCommand({ KeyId: keys.sym, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
  })
})

describe('MACs', () => {
  it('GenerateMac / VerifyMac; a wrong MAC is KMSInvalidMacException; a mismatched algorithm is InvalidKeyUsageException', async () => {
    const m = bytes('mac me')
    const g = await kms.send(new GenerateMacCommand({ KeyId: keys.hmac256, Message: m, MacAlgorithm: 'HMAC_SHA_256' }))
    expect(g).toMatchObject({ KeyId: keyArn(keys.hmac256!), MacAlgorithm: 'HMAC_SHA_256' })
    expect(g.Mac).toHaveLength(32)
    const again = await kms.send(new GenerateMacCommand({ KeyId: keys.hmac256, Message: m, MacAlgorithm: 'HMAC_SHA_256' }))
    expect(Buffer.from(again.Mac!).equals(Buffer.from(g.Mac!))).toBe(true)
    const v = await kms.send(new VerifyMacCommand({ KeyId: keys.hmac256, Message: m, Mac: g.Mac, MacAlgorithm: 'HMAC_SHA_256' }))
    expect(v).toMatchObject({ KeyId: keyArn(keys.hmac256!), MacValid: true, MacAlgorithm: 'HMAC_SHA_256' })

    const big = await kms.send(new GenerateMacCommand({ KeyId: keys.hmac512, Message: m, MacAlgorithm: 'HMAC_SHA_512' }))
    expect(big.Mac).toHaveLength(64)

    const bad = new Uint8Array(g.Mac!)
    bad[0]! ^= 1
    let err = await clientError(kms.send(new VerifyMacCommand({ KeyId: keys.hmac256, Message: m, Mac: bad, MacAlgorithm: 'HMAC_SHA_256' })))
    expect(err).toBeInstanceOf(KMSInvalidMacException)
    err = await clientError(kms.send(new GenerateMacCommand({ KeyId: keys.hmac256, Message: m, MacAlgorithm: 'HMAC_SHA_512' })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
    expect(err.message).toBe('Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.')
    err = await clientError(kms.send(new EncryptCommand({ KeyId: keys.hmac256, Plaintext: m })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
  })
})

describe('GetPublicKey and DeriveSharedSecret', () => {
  it('GetPublicKey returns a usable SPKI with the key facts; symmetric and HMAC keys are UnsupportedOperationException', async () => {
    const out = await kms.send(new GetPublicKeyCommand({ KeyId: keys.rsaSign }))
    expect(out).toMatchObject({ KeyId: keyArn(keys.rsaSign!), KeySpec: 'RSA_3072', CustomerMasterKeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' })
    expect(out.SigningAlgorithms).toContain('RSASSA_PSS_SHA_256')
    expect(crypto.createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails!.modulusLength).toBe(3072)
    const e = await kms.send(new GetPublicKeyCommand({ KeyId: keys.rsaEnc }))
    expect(e.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'])
    const ka = await kms.send(new GetPublicKeyCommand({ KeyId: keys.ecdh }))
    expect(ka.KeyAgreementAlgorithms).toEqual(['ECDH'])

    for (const id of [keys.sym, keys.hmac256]) {
      const err = await clientError(kms.send(new GetPublicKeyCommand({ KeyId: id })))
      expect(err).toBeInstanceOf(UnsupportedOperationException)
    }
  })

  it.each([
    ['ecdh', 'prime256v1'],
    ['ecdh384', 'secp384r1'],
  ])('DeriveSharedSecret (%s) equals node:crypto ECDH with the KMS public key', async (name, curve) => {
    const id = keys[name]!
    const mine = crypto.generateKeyPairSync('ec', { namedCurve: curve })
    const out = await kms.send(
      new DeriveSharedSecretCommand({ KeyId: id, KeyAgreementAlgorithm: 'ECDH', PublicKey: mine.publicKey.export({ format: 'der', type: 'spki' }) }),
    )
    expect(out).toMatchObject({ KeyId: keyArn(id), KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' })
    const expected = crypto.diffieHellman({ privateKey: mine.privateKey, publicKey: await publicKeyOf(id) })
    expect(Buffer.from(out.SharedSecret!).equals(expected)).toBe(true)
  })

  it('DeriveSharedSecret refuses a signing key and a public key of another curve', async () => {
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' })
    let err = await clientError(kms.send(new DeriveSharedSecretCommand({ KeyId: keys.p256, KeyAgreementAlgorithm: 'ECDH', PublicKey: other })))
    expect(err).toBeInstanceOf(InvalidKeyUsageException)
    err = await clientError(kms.send(new DeriveSharedSecretCommand({ KeyId: keys.ecdh, KeyAgreementAlgorithm: 'ECDH', PublicKey: other })))
    expect(err.name).toBe('ValidationException')
  })
})

describe('importing key material', () => {
  async function wrapFor(id: string, material: Uint8Array, alg: 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' = 'RSAES_OAEP_SHA_256') {
    const p = await kms.send(new GetParametersForImportCommand({ KeyId: id, WrappingAlgorithm: alg, WrappingKeySpec: 'RSA_2048' }))
    expect(p.KeyId).toBe(keyArn(id))
    expect(p.ParametersValidTo!.getTime()).toBeGreaterThan(t.clock.now())
    const pub = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' })
    const wrapped = crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSAES_OAEP_SHA_256' ? 'sha256' : 'sha1' }, material)
    return { token: p.ImportToken!, wrapped }
  }

  it('GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and re-import of the same material', async () => {
    const id = await newKey({ Origin: 'EXTERNAL' })
    let err = await clientError(kms.send(new EncryptCommand({ KeyId: id, Plaintext: bytes('x') })))
    expect(err).toBeInstanceOf(KMSInvalidStateException)
    expect(err.message).toBe(`${keyArn(id)} is pending import.`)

    const material = crypto.randomBytes(32)
    const w = await wrapFor(id, material)
    await kms.send(new ImportKeyMaterialCommand({ KeyId: id, ImportToken: w.token, EncryptedKeyMaterial: w.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))
    const md = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!
    expect(md).toMatchObject({ KeyState: 'Enabled', Enabled: true, Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    const e = await kms.send(new EncryptCommand({ KeyId: id, Plaintext: bytes('imported') }))

    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: id }))
    expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('PendingImport')
    err = await clientError(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })))
    expect(err).toBeInstanceOf(KMSInvalidStateException)

    const again = await wrapFor(id, material, 'RSAES_OAEP_SHA_1')
    await kms.send(new ImportKeyMaterialCommand({ KeyId: id, ImportToken: again.token, EncryptedKeyMaterial: again.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob }))
    expect(Buffer.from(d.Plaintext!).toString()).toBe('imported')
  })

  it('other material for the same key is IncorrectKeyMaterialException; a bad token is InvalidImportTokenException', async () => {
    const id = await newKey({ Origin: 'EXTERNAL' })
    const w = await wrapFor(id, crypto.randomBytes(32))
    await kms.send(new ImportKeyMaterialCommand({ KeyId: id, ImportToken: w.token, EncryptedKeyMaterial: w.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: id }))
    const other = await wrapFor(id, crypto.randomBytes(32))
    let err = await clientError(kms.send(new ImportKeyMaterialCommand({ KeyId: id, ImportToken: other.token, EncryptedKeyMaterial: other.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })))
    expect(err).toBeInstanceOf(IncorrectKeyMaterialException)

    const third = await wrapFor(id, crypto.randomBytes(32))
    err = await clientError(kms.send(new ImportKeyMaterialCommand({ KeyId: id, ImportToken: bytes('bogus token'), EncryptedKeyMaterial: third.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })))
    expect(err).toBeInstanceOf(InvalidImportTokenException)
  })

  it('import operations on an AWS_KMS key are UnsupportedOperationException', async () => {
    const err = await clientError(kms.send(new GetParametersForImportCommand({ KeyId: keys.sym, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })))
    expect(err).toBeInstanceOf(UnsupportedOperationException)
  })
})

describe('key states in crypto operations', () => {
  it('a disabled key: DisabledException for every crypto operation', async () => {
    const sym = await newKey()
    const hm = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    const e = await kms.send(new EncryptCommand({ KeyId: sym, Plaintext: bytes('x') }))
    await kms.send(new DisableKeyCommand({ KeyId: sym }))
    await kms.send(new DisableKeyCommand({ KeyId: hm }))
    const calls = [
      () => kms.send(new EncryptCommand({ KeyId: sym, Plaintext: bytes('x') })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: sym, KeySpec: 'AES_256' })),
      () => kms.send(new GenerateDataKeyPairCommand({ KeyId: sym, KeyPairSpec: 'ECC_NIST_P256' })),
      () => kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: keys.sym })),
      () => kms.send(new GenerateMacCommand({ KeyId: hm, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })),
    ]
    for (const c of calls) {
      const err = await clientError(c())
      expect(err).toBeInstanceOf(DisabledException)
    }
  })
})
