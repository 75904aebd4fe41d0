/**
 * The shape tables generated from the botocore models (shapes/generate.ts) and typed access
 * to them. Only the wire layer reads these: AWS member names stay verbatim here.
 */
import kmsTable from './shapes/kms.json' with { type: 'json' }
import ssmTable from './shapes/ssm.json' with { type: 'json' }
import secretsmanagerTable from './shapes/secretsmanager.json' with { type: 'json' }

export type AwsJsonService = 'kms' | 'ssm' | 'secretsmanager'

interface ShapeBase {
  min?: number
  max?: number
  sensitive?: boolean
}
export interface StructureShape extends ShapeBase {
  type: 'structure'
  /** Wire member name → shape name. */
  members: Record<string, string>
  required?: string[]
  /** At most one member may be set. */
  union?: boolean
}
export interface ListShape extends ShapeBase {
  type: 'list'
  member: string
}
export interface MapShape extends ShapeBase {
  type: 'map'
  key: string
  value: string
}
export interface StringShape extends ShapeBase {
  type: 'string'
  enum?: string[]
  pattern?: string
}
export interface ScalarShape extends ShapeBase {
  type: 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'blob' | 'timestamp'
}
export type Shape = StructureShape | ListShape | MapShape | StringShape | ScalarShape

export interface OperationShapes {
  /** Input structure shape name; absent for operations without input. */
  input?: string
  /** Output structure shape name; absent for operations without output. */
  output?: string
  /** Modeled error shape names. */
  errors: string[]
}

/** The committed JSON format: see shapes/generate.ts. */
export interface ShapeTable {
  service: string
  apiVersion: string
  targetPrefix: string
  /** Which model the table came from (botocore version and path). */
  source: string
  /** Every exception shape the model declares for the service. */
  errors: string[]
  operations: Record<string, OperationShapes>
  shapes: Record<string, Shape>
}

const TABLES: Record<AwsJsonService, ShapeTable> = {
  kms: kmsTable as unknown as ShapeTable,
  ssm: ssmTable as unknown as ShapeTable,
  secretsmanager: secretsmanagerTable as unknown as ShapeTable,
}

export function shapeTable(service: AwsJsonService): ShapeTable {
  return TABLES[service]
}

/** The operation's shapes, or undefined when the service does not answer it. */
export function operationShapes(service: AwsJsonService, operation: string): OperationShapes | undefined {
  const table = TABLES[service]
  return Object.hasOwn(table.operations, operation) ? table.operations[operation] : undefined
}
