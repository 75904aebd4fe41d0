/** What the KMS needs from the root of trust: AES-GCM under the root key, bound to an AAD. */
export interface Barrier {
  wrap(aad: Uint8Array, plaintext: Uint8Array): Uint8Array
  unwrap(aad: Uint8Array, blob: Uint8Array): Uint8Array
}

const encoder = new TextEncoder()

/** Wrapped key material is bound to its key id and version: a blob moved to another row fails. */
export function materialAad(keyId: string, version: number): Uint8Array {
  return encoder.encode(`arca:kms-material:${keyId}:${version}`)
}

export function importKeyAad(tokenId: string): Uint8Array {
  return encoder.encode(`arca:kms-import-wrapping-key:${tokenId}`)
}
