import { describe, expect, it } from 'vitest'
import { MAX_ERROR_CHARS, REDACTED, Sanitiser } from '../../../../src/services/rotation/index.ts'

describe('sanitiser', () => {
  it('replaces whole values, secret JSON members and their quoted forms; keeps the public members', () => {
    const s = new Sanitiser()
    s.add(JSON.stringify({ engine: 'postgres', host: 'db.internal', username: 'app', password: `pa"ss'w\\rd`, apiKey: 'k-123456' }))
    s.add(new Uint8Array([1, 2, 3, 4, 5, 6]))
    const text = `login failed for app@db.internal with pa"ss'w\\rd; json "pa\\"ss'w\\\\rd"; sql 'pa"ss''w\\rd'; url pa%22ss'w%5Crd; key k-123456; bin AQIDBAUG`
    const out = s.clean(text)
    expect(out).toBe(`login failed for app@db.internal with ${REDACTED}; json "${REDACTED}"; sql '${REDACTED}'; url ${REDACTED}; key ${REDACTED}; bin ${REDACTED}`)
  })

  it('bounds the text and cleans log fields', () => {
    const s = new Sanitiser()
    s.add('hunter2-password')
    expect(s.clean('x'.repeat(5000)).length).toBe(MAX_ERROR_CHARS + 1)
    expect(s.cleanFields({ a: 'is hunter2-password', n: [1, { b: 'hunter2-password' }] })).toEqual({ a: `is ${REDACTED}`, n: [1, { b: REDACTED }] })
  })
})
