import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH, sha256Hex } from '../../src/audit/canonical.ts';
import { appendAuditNow, exportChain, formatExport, verifyChain } from '../../src/audit/chain.ts';
import type { Db } from '../../src/store/db.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';

describe('canonical form', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
    );
  });
  it('hashes with SHA-256 (FIPS 180-2 test vector for "abc")', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

/** Runs SQL as a superuser would: with the append-only trigger switched off for the statement. */
async function tamper(db: Db, sql: string): Promise<void> {
  await db.exec(`ALTER TABLE config.audit_chain DISABLE TRIGGER audit_chain_append_only;
    ${sql};
    ALTER TABLE config.audit_chain ENABLE TRIGGER audit_chain_append_only;`);
}

for (const backend of BACKENDS) {
  describe(`audit chain on ${backend.name}`, () => {
    let ts: TestStore;
    let db: Db;

    beforeAll(async () => {
      ts = await backend.open();
      db = ts.db;
    });
    afterAll(async () => {
      await ts?.drop();
    });

    /** A fresh chain of `n` entries (the table emptied with the triggers off). */
    async function freshChain(n: number): Promise<void> {
      await db.exec(`ALTER TABLE config.audit_chain DISABLE TRIGGER USER;
        DELETE FROM config.audit_chain;
        ALTER TABLE config.audit_chain ENABLE TRIGGER USER;`);
      for (let i = 1; i <= n; i++) {
        await appendAuditNow(db, {
          kind: 'admin',
          actor: `user${i}`,
          action: 'test',
          subject: `thing ${i}`,
          detail: { i, nested: { b: 2, a: [1, 0.1] } },
        });
      }
    }

    it('links every entry to the previous one and verifies', async () => {
      await freshChain(5);
      const x = await exportChain(db);
      expect(x.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(x.entries[0]?.prev_hash).toBe(GENESIS_HASH);
      for (let i = 1; i < x.entries.length; i++) expect(x.entries[i]?.prev_hash).toBe(x.entries[i - 1]?.hash);
      for (const e of x.entries) expect(entryHash(e)).toBe(e.hash);
      expect(await verifyChain(db)).toEqual({ ok: true, entries: 5, head_hash: x.head_hash });
      expect(x.head_hash).toBe(x.entries[4]?.hash);
    });

    it('the trigger refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
      await freshChain(2);
      await expect(db.query("UPDATE config.audit_chain SET actor = 'mallory' WHERE seq = 1")).rejects.toThrow(
        'append-only',
      );
      await expect(db.query('DELETE FROM config.audit_chain WHERE seq = 2')).rejects.toThrow('append-only');
      await expect(db.exec('TRUNCATE config.audit_chain')).rejects.toThrow('append-only');
      await expect(db.query("UPDATE config.audit_log SET who = 'mallory'")).rejects.toThrow('append-only');
      await expect(db.query('DELETE FROM config.versions')).rejects.toThrow('append-only');
      expect((await verifyChain(db)).ok).toBe(true);
    });

    it('an edited entry fails verification at that entry', async () => {
      await freshChain(6);
      await tamper(db, `UPDATE config.audit_chain SET actor = 'mallory' WHERE seq = 3`);
      expect(await verifyChain(db)).toMatchObject({ ok: false, entries: 3, first_bad_id: 3 });
    });

    it('an edited entry whose hash was recomputed fails at the next entry', async () => {
      await freshChain(6);
      const e = (await exportChain(db)).entries[3];
      if (!e) throw new Error('no entry 4');
      const forged = { ...e, detail: { i: 999 } };
      await tamper(
        db,
        `UPDATE config.audit_chain SET detail = '{"i":999}'::jsonb, hash = '${entryHash(forged)}' WHERE seq = 4`,
      );
      expect(await verifyChain(db)).toMatchObject({ ok: false, first_bad_id: 5 });
    });

    it('a deleted entry fails verification at the entry after the gap', async () => {
      await freshChain(6);
      await tamper(db, 'DELETE FROM config.audit_chain WHERE seq = 2');
      expect(await verifyChain(db)).toMatchObject({ ok: false, first_bad_id: 3 });
    });

    it('two swapped entries fail verification at the first of them', async () => {
      await freshChain(6);
      // swap the contents of entries 2 and 4, keeping their positions (seq)
      await tamper(
        db,
        `UPDATE config.audit_chain a SET at = b.at, kind = b.kind, actor = b.actor, action = b.action,
            subject = b.subject, detail = b.detail, prev_hash = b.prev_hash, hash = b.hash
           FROM (SELECT * FROM config.audit_chain) b
          WHERE (a.seq, b.seq) IN ((2, 4), (4, 2))`,
      );
      expect(await verifyChain(db)).toMatchObject({ ok: false, first_bad_id: 2 });
    });

    it('dropping the newest entries is caught against an exported head hash', async () => {
      await freshChain(4);
      const head = (await exportChain(db)).head_hash;
      await tamper(db, 'DELETE FROM config.audit_chain WHERE seq = 4');
      expect((await verifyChain(db)).ok).toBe(true);
      expect(await verifyChain(db, head)).toMatchObject({ ok: false, first_bad_id: 4 });
    });

    it('exports a date range as JSON lines and CSV with the head hash', async () => {
      await freshChain(3);
      const x = await exportChain(db, { from: '2000-01-01', to: '2999-12-31' });
      const jsonl = formatExport(x, 'jsonl').trim().split('\n');
      expect(jsonl).toHaveLength(4);
      expect(JSON.parse(jsonl[3] ?? '')).toEqual({ head_hash: x.head_hash, head_seq: 3 });
      expect(JSON.parse(jsonl[0] ?? '').subject).toBe('thing 1');
      const csv = formatExport(x, 'csv').trim().split('\n');
      expect(csv[0]).toBe('seq,at,kind,actor,action,subject,detail,prev_hash,hash');
      expect(csv[1]).toContain('"{""i"":1,""nested"":{""a"":[1,0.1],""b"":2}}"');
      expect(csv[4]).toBe(`# head_hash=${x.head_hash} head_seq=3`);
      expect((await exportChain(db, { from: '2000-01-01', to: '2000-01-02' })).entries).toEqual([]);
    });

    if (backend.name === 'postgres') {
      it('two concurrent writers on separate connections keep one chain', async () => {
        await freshChain(0);
        const a = await ts.other();
        const b = await ts.other();
        try {
          // each writer appends one entry after another, as a process does; the two run at the same time
          const write = async (w: Db, who: string) => {
            for (let i = 0; i < 40; i++) {
              await appendAuditNow(w, { kind: 'admin', actor: who, action: 'race', subject: `${who}-${i}` });
            }
          };
          await Promise.all([write(a, 'a'), write(b, 'b')]);
        } finally {
          await a.close();
          await b.close();
        }
        expect(await verifyChain(db)).toMatchObject({ ok: true, entries: 80 });
      });
    }
  });
}
