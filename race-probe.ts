import pg from 'pg'
import { openDatabase, migrateToLatest } from '/work/main/src/store/index.ts'
const url = 'postgres://postgres@127.0.0.1:5432/postgres'
let stop = false
const churn = async (n: number) => { const c = new pg.Client({ connectionString: url }); await c.connect(); let i = 0; while (!stop) { const s = `churn_${n}_${i++}`; await c.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.t (id serial primary key, a int, b text, c text, d text)`); await c.query(`DROP SCHEMA ${s} CASCADE`) } await c.end() }
const ch = [churn(1), churn(2), churn(3)]
let ok = 0, bad = 0
for (let i = 0; i < 15; i++) {
  const d = await openDatabase({ url, schema: `race_${i}` })
  try { await migrateToLatest(d.db); ok++ } catch (e) { bad++; console.log('fail:', (e as Error).message) }
  await d.close()
  const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query(`DROP SCHEMA race_${i} CASCADE`); await c.end()
}
stop = true; await Promise.all(ch)
console.log({ ok, bad })
