/** A minimal Server-Sent Events client over fetch, for tests: messages, comments, and a clean close. */
export interface SseMessage {
  id?: string
  event?: string
  data: string
}

export interface SseClient {
  status: number
  contentType: string | null
  /** Every message so far, in arrival order. */
  messages: SseMessage[]
  comments: string[]
  /** Resolves once `predicate` holds for the messages or comments received (fails after `timeoutMs`). */
  waitFor(predicate: (c: SseClient) => boolean, timeoutMs?: number): Promise<void>
  close(): void
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController()
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal })
  const listeners = new Set<() => void>()
  const client: SseClient = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    messages: [],
    comments: [],
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(client)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`SSE: condition not met within ${timeoutMs} ms; got ${JSON.stringify(client.messages)} and comments ${JSON.stringify(client.comments)}`))
        }, timeoutMs)
        const check = () => {
          if (!predicate(client)) return
          clearTimeout(timer)
          listeners.delete(check)
          resolve()
        }
        listeners.add(check)
      })
    },
    close: () => abort.abort(),
    ended: Promise.resolve(),
  }
  if (!res.body || !client.contentType?.startsWith('text/event-stream')) return client
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  client.ended = (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let at: number
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at)
          buffer = buffer.slice(at + 2)
          const msg: SseMessage = { data: '' }
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim())
            else if (line.startsWith('data: ')) data.push(line.slice(6))
            else if (line.startsWith('id: ')) msg.id = line.slice(4)
            else if (line.startsWith('event: ')) msg.event = line.slice(7)
          }
          if (data.length) {
            msg.data = data.join('\n')
            client.messages.push(msg)
          }
          for (const l of [...listeners]) l()
        }
      }
    } catch {
      // Aborted by close().
    }
  })()
  return client
}
