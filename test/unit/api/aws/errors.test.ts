import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ArcaError, ERROR_CODES } from '../../../../src/core/index.ts'
import { AWS_ERROR_TABLE, AWS_SERVICES, awsError, toAwsErrorBody } from '../../../../src/api/aws/errors.ts'
import { shapeTable, type AwsJsonService } from '../../../../src/api/aws/shapes.ts'
import { botocoreDataDir, loadBotocoreModel } from '../../../../src/api/aws/shapes/generate.ts'

/** Errors AWS's front end answers for every json service without modelling them. */
const COMMON_UNMODELED = new Set([
  'ValidationException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'SerializationException',
  'UnknownOperationException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'ThrottlingException',
  'ExpiredTokenException',
  'ServiceUnavailableException',
  'RequestEntityTooLargeException',
])

const MODELS: Record<AwsJsonService, string> = {
  kms: 'kms/2014-11-01',
  ssm: 'ssm/2014-11-06',
  secretsmanager: 'secretsmanager/2017-10-17',
}

function botocoreErrors(service: AwsJsonService): { source: string; names: Set<string> } {
  try {
    const dir = botocoreDataDir()
    if (existsSync(dir)) {
      const model = loadBotocoreModel(dir, MODELS[service])
      const names = Object.entries(model.shapes)
        .filter(([, s]) => s.exception)
        .map(([n]) => n)
      return { source: 'botocore', names: new Set(names) }
    }
  } catch {
    // no Python botocore here: the committed table's error list was generated from it
  }
  return { source: 'committed shapes', names: new Set(shapeTable(service).errors) }
}

describe('the AWS error table', () => {
  it('has a row for every code and every service', () => {
    for (const code of ERROR_CODES) {
      for (const svc of AWS_SERVICES) {
        const row = AWS_ERROR_TABLE[code]?.[svc]
        expect(row, `${code}/${svc}`).toBeDefined()
        expect([400, 403, 413, 500, 503]).toContain(row!.status)
      }
    }
  })

  for (const svc of ['kms', 'ssm', 'secretsmanager'] as const) {
    it(`every ${svc} __type exists in the botocore model or is a common unmodeled error`, () => {
      const { names } = botocoreErrors(svc)
      const unknown = ERROR_CODES.map((c) => AWS_ERROR_TABLE[c][svc].type).filter((t) => !names.has(t) && !COMMON_UNMODELED.has(t))
      expect(unknown).toEqual([])
    })
  }

  it('client errors are 400 on the json services; faults 5xx (AWS-API.md §1)', () => {
    expect(awsError('NotFound', 'kms')).toEqual({ type: 'NotFoundException', status: 400 })
    expect(awsError('NotFound', 'ssm')).toEqual({ type: 'ParameterNotFound', status: 400 })
    expect(awsError('NotFound', 'secretsmanager')).toEqual({ type: 'ResourceNotFoundException', status: 400 })
    expect(awsError('InvalidState', 'kms')).toEqual({ type: 'KMSInvalidStateException', status: 400 })
    expect(awsError('AccessDenied', 'kms').status).toBe(400)
    expect(awsError('Throttling', 'ssm')).toEqual({ type: 'ThrottlingException', status: 400 })
    expect(awsError('Internal', 'kms')).toEqual({ type: 'KMSInternalException', status: 500 })
    expect(awsError('Internal', 'ssm')).toEqual({ type: 'InternalServerError', status: 500 })
    expect(awsError('Internal', 'secretsmanager')).toEqual({ type: 'InternalServiceError', status: 500 })
    expect(awsError('Dependency', 'kms')).toEqual({ type: 'DependencyTimeoutException', status: 503 })
    expect(awsError('Sealed', 'kms').status).toBe(503)
    expect(awsError('PayloadTooLarge', 'ssm').status).toBe(413)
    expect(awsError('InvalidSignature', 'sts')).toEqual({ type: 'SignatureDoesNotMatch', status: 403 })
    expect(awsError('UnrecognizedClient', 'sts')).toEqual({ type: 'InvalidClientTokenId', status: 403 })
  })

  it('deterministic failures never map to the retried LimitExceededException except LimitExceeded itself', () => {
    for (const code of ERROR_CODES) {
      if (code === 'LimitExceeded') continue
      for (const svc of AWS_SERVICES) expect(AWS_ERROR_TABLE[code][svc].type, `${code}/${svc}`).not.toBe('LimitExceededException')
    }
  })

  it('toAwsErrorBody: __type and message; Secrets Manager also gets Message', () => {
    const e = new ArcaError('NotFound', "Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist")
    expect(toAwsErrorBody(e, 'kms')).toEqual({
      status: 400,
      body: { __type: 'NotFoundException', message: "Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist" },
    })
    const s = toAwsErrorBody(new ArcaError('NotFound', "Secrets Manager can't find the specified secret."), 'secretsmanager')
    expect(s.body).toEqual({
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      Message: "Secrets Manager can't find the specified secret.",
    })
    expect(toAwsErrorBody(new ArcaError('InvalidCiphertext', ''), 'kms').body).toEqual({ __type: 'InvalidCiphertextException', message: '' })
  })

  it('anything that is not an ArcaError is an internal fault whose detail is not shown', () => {
    const out = toAwsErrorBody(new Error('db password=hunter2 at 10.0.0.1'), 'ssm')
    expect(out.status).toBe(500)
    expect(out.body.__type).toBe('InternalServerError')
    expect(JSON.stringify(out)).not.toContain('hunter2')
  })
})
