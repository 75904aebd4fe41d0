import os from 'node:os'
import { randomString } from '../../core/index.ts'

/** A name for this process in lease rows: host, pid and a random suffix (restarts differ). */
export function nodeId(): string {
  return `${os.hostname()}:${process.pid}:${randomString(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`
}
