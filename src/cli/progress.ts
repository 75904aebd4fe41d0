// Arca: below this many items an import or export is quick enough to need no bar.
const MIN_ITEMS = 20
const WIDTH = 30

export interface Progress {
  tick(n?: number): void
  done(): void
}

/**
 * A one-line progress bar (a running count when the total is unknown) on stderr, drawn only
 * when stderr is a terminal (never in pipes, logs or scripts) and only for long jobs; stdout
 * stays clean for the data.
 */
export function progress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  const live = stream.isTTY === true && (total === undefined || total >= MIN_ITEMS)
  let count = 0
  const draw = () => {
    // Unknown total (paging through a subtree): a running count once it is long.
    if (total === undefined) return void (count >= MIN_ITEMS && stream.write(`\r${label} ${count}…`))
    const filled = Math.round((count / Math.max(total, 1)) * WIDTH)
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count}/${total}`)
  }
  if (live && total !== undefined) draw()
  return {
    tick(n = 1) {
      count = total === undefined ? n : count + n
      if (live) draw()
    },
    done() {
      if (live) stream.write('\r\x1b[K')
    },
  }
}
