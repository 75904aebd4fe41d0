import { MS } from '../../core/index.ts'
import type { Kms } from '../../kms/index.ts'
import type { Notify } from '../notify/index.ts'
import type { Job } from './scheduler.ts'

// Arca: how often each job looks for work. KMS dates are day-granular (rotation periods,
// deletion windows), so a minute is prompt; deliveries go out within seconds of the event.
export const JOB_INTERVALS = {
  rotateDueKeys: MS.minute,
  deleteDueKeys: MS.minute,
  expireImportedMaterial: MS.minute,
  deliverEvents: 2 * MS.second,
  pruneEvents: MS.hour,
} as const

export const JOB_NAMES = {
  rotateDueKeys: 'kms.rotate-due-keys',
  deleteDueKeys: 'kms.delete-due-keys',
  expireImportedMaterial: 'kms.expire-imported-material',
  deliverEvents: 'notify.deliver',
  pruneEvents: 'notify.prune',
} as const

export interface JobsDeps {
  kms: Pick<Kms, 'jobs'>
  notify: Pick<Notify, 'jobs'>
  intervals?: Partial<Record<keyof typeof JOB_INTERVALS, number | string>>
}

/** The jobs of this release, ready for `createScheduler({ jobs })`. */
export function createJobs(deps: JobsDeps): Job[] {
  const every = (k: keyof typeof JOB_INTERVALS) => deps.intervals?.[k] ?? JOB_INTERVALS[k]
  return [
    { name: JOB_NAMES.rotateDueKeys, every: every('rotateDueKeys'), run: (now) => deps.kms.jobs.rotateDueKeys(now) },
    { name: JOB_NAMES.deleteDueKeys, every: every('deleteDueKeys'), run: (now) => deps.kms.jobs.deleteDueKeys(now) },
    { name: JOB_NAMES.expireImportedMaterial, every: every('expireImportedMaterial'), run: (now) => deps.kms.jobs.expireImportedMaterial(now) },
    {
      name: JOB_NAMES.deliverEvents,
      every: every('deliverEvents'),
      // Deliveries claim their own rows too (delivery.ts), so even an overlapping run on a node
      // whose lease lapsed cannot send an event twice at once.
      run: (now) => deps.notify.jobs.deliver(now),
    },
    { name: JOB_NAMES.pruneEvents, every: every('pruneEvents'), run: (now) => deps.notify.jobs.prune(now) },
  ]
}
