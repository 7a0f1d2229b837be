/*
 * The Promela twin of lifecycle.ptm, the generic page-table lifecycle mix of
 * the SPIN benchmark (tests/bench/run_twin.sh). Not a kernel model: three
 * page tables (state word, split ptl, flag, rcu_head), two PMD slots, one THP
 * deposit slot, an allocator lock and the mm's page_table_lock; two threads
 * run ROUNDS operations each (alloc+install, deposit, withdraw, retract with
 * an RCU-deferred free, RCU walker of the other slot, split-ptl update of the
 * other slot). The walker asserts that the table it maps is not freed.
 *
 *   spin -a -DROUNDS=3 lifecycle.pml               (the pass variant)
 *   spin -a -DROUNDS=3 -DLIFECYCLE_BUG lifecycle.pml  (retracted table freed at once)
 *
 * Step granularity is ptcheck's (docs/model-language.md, "Concurrency"): one
 * transition per shared-word access, lock operation, RCU operation or
 * nondet() choice, and the local computation after it in the same transition.
 * Each such step is a d_step. Where ptcheck branches on the value a step just
 * read, the step is written as exclusive d_step options (one per outcome) so
 * that the branch costs no transition of its own; gotos cost none in SPIN,
 * but a skip would. Paths that meet at one ptcheck pc with equal locals meet
 * at one Promela statement too (else SPIN would count the state twice).
 * Locals are zeroed in the step after which they are dead (ptcheck zeroes dead
 * locals at step boundaries). Threads never die: they rest blocked at an end
 * label when their rounds are done, like a finished ptcheck thread.
 *
 * RCU is ptcheck's engine RCU (checker/vm/machine_builtins.cpp): call_rcu()
 * writes rcu_head.func and .next, links the head after the caller's previous
 * pending callback, and queues it with the set of contexts then inside a
 * read-side section. A context is a reader while it is in rcu_read_lock() or
 * holds a spinlock (spin_lock() disables preemption on !PREEMPT_RT); rdr[] counts
 * both. The rcu process runs a callback whose set has emptied and that is the
 * oldest pending one of its queuing thread, in two steps like ptcheck's rcu
 * context: take it off the queue, then the callback's WRITE_ONCE.
 *
 * Remaining differences from ptcheck's encoding:
 * - SPIN's partial-order reduction is on (run_twin.sh does not pass
 *   -DNOREDUCE); nearly every step touches a global, so it prunes little.
 * - ptcheck's state also holds each thread's lock-held list, stack frames with
 *   arguments and return slots, and the rcu queue's per-entry bookkeeping;
 *   here these are derived from the process counters or absent. They are
 *   functions of the control state, so they do not split states; nor does
 *   rdr[], a function of the control state too.
 * - The state vector here is 60 bytes against ptcheck's 1,320 (kernel
 *   addresses, 64-bit words, kernel stacks): compare states, not bytes.
 *
 * Measured (2026-12-01): without SPIN's reduction (-DNOREDUCE) the twins have
 * exactly ptcheck's counts: 915 / 26,062 / 455,866 / 4,081,875 states at
 * ROUNDS 1 / 2 / 3 / 4, the same transitions (SPIN's stored + matched count
 * the initial state once more) and depths. With SPIN's default reduction:
 * 861 / 25,564 / 446,779 / 4,029,584. The verdicts of both variants agree at
 * every size; ctest cli.spin_twin_agrees checks ROUNDS 1 and 2.
 */

#ifndef ROUNDS
#define ROUNDS 3
#endif

#define NT 3			/* NTABLES */
#define QCAP 3			/* at most one pending callback per table */
#define T_FREE 0
#define T_ALLOCATED 1
#define T_INSTALLED 2
#define T_DEFERRED 3

byte tstate[NT];		/* tables[i].state */
byte tptl[NT];			/* tables[i].ptl, the spinlock word */
byte tflag[NT];			/* tables[i].flag */
byte rcu_func[NT];		/* tables[i].rcu.func: 0 or table_free_rcu (1) */
byte rcu_next[NT];		/* tables[i].rcu.next: 0 or a table index + 1 */
byte pmd[2];			/* 0, or a table index + 1 */
byte deposit;			/* 0, or a table index + 1 */
byte alloc_lock;
byte page_table_lock;

/* The engine's RCU callback queue: head (table index + 1, 0: unused), the
 * contexts still to leave their read-side sections (bit per thread), and the
 * queuing thread. Used entries are contiguous from 0, oldest first. */
byte qhead[QCAP];
byte qwait[QCAP];
byte qthr[QCAP];
byte rdr[2];			/* rcu_read_lock depth + spinlocks held */
hidden byte qn, qls;		/* call_rcu scratch, not part of the state */

#define me _pid			/* the two worker processes are pids 0 and 1 */

/* leave_read_section(): the context's bit leaves every pending callback. */
#define LEAVE \
	if :: rdr[me] == 0 -> \
		qwait[0] = qwait[0] & ~(1 << me); \
		qwait[1] = qwait[1] & ~(1 << me); \
		qwait[2] = qwait[2] & ~(1 << me) \
	   :: else -> skip \
	fi

/* spin_lock(l) after its guard `l == 0`, and spin_unlock(l). */
#define LOCK(l)		l = 1; rdr[me]++
#define UNLOCK(l)	l = 0; rdr[me]--; LEAVE
#define RCU_LOCK	rdr[me]++
#define RCU_UNLOCK	rdr[me]--; LEAVE

/* call_rcu(&tables[tt - 1].rcu, table_free_rcu) */
#define CALL_RCU(tt) \
	rcu_func[tt - 1] = 1; rcu_next[tt - 1] = 0; \
	qn = 0; qls = 255; \
	do \
	:: qn < QCAP && qhead[qn] != 0 -> \
		if :: qthr[qn] == me -> qls = qn :: else -> skip fi; \
		qn++ \
	:: else -> break \
	od; \
	assert(qn < QCAP); \
	if :: qls != 255 -> rcu_next[qhead[qls] - 1] = tt :: else -> skip fi; \
	qhead[qn] = tt; \
	qwait[qn] = (rdr[1 - me] > 0 -> (1 << (1 - me)) : 0); \
	qthr[qn] = me; \
	qn = 0; qls = 0

/* table_alloc() under alloc_lock, from `i = 0`: READ each state word; the
 * first free one is written T_ALLOCATED and t = its index + 1, else t = 0.
 * AFTER_FOUND / AFTER_NONE are the steps that follow in the caller
 * (AFTER_NONE starts with its `;`, or is empty: a skip would be a step). */
#define TABLE_ALLOC(L, AFTER_FOUND, AFTER_NONE) \
L:	if \
	:: d_step { tstate[i] == T_FREE } ; \
	   d_step { tstate[i] = T_ALLOCATED; t = i + 1; i = 0 } ; \
	   AFTER_FOUND \
	:: d_step { tstate[i] != T_FREE && i < NT - 1 -> i++ } ; goto L \
	:: d_step { tstate[i] != T_FREE && i == NT - 1 -> i = 0; t = 0 } \
	   AFTER_NONE \
	fi

inline op_alloc(slot)
{
	d_step { alloc_lock == 0 -> LOCK(alloc_lock); i = 0 };
	TABLE_ALLOC(alloc_ta,
	/* spin_unlock(&alloc_lock); then spin_lock(&page_table_lock) */
	d_step { UNLOCK(alloc_lock) } ;
	d_step { page_table_lock == 0 -> LOCK(page_table_lock) } ;
	if
	:: d_step { pmd[slot] == 0 } ;
	   d_step { tstate[t - 1] = T_INSTALLED } ;
	   d_step { pmd[slot] = t; t = 0 } ;
	   d_step { UNLOCK(page_table_lock) }
	:: d_step { pmd[slot] != 0 } ;
	   d_step { UNLOCK(page_table_lock) } ;
	   d_step { tstate[t - 1] = T_FREE; t = 0 }
	fi,
	/* no table: spin_unlock(&alloc_lock); return */
	; d_step { UNLOCK(alloc_lock) })
}

inline op_deposit()
{
	d_step { alloc_lock == 0 -> LOCK(alloc_lock) };
	if
	:: d_step { deposit == 0 -> i = 0 } ;
	   TABLE_ALLOC(dep_ta, d_step { deposit = t; t = 0 }, )
	:: d_step { deposit != 0 }
	fi;
	d_step { UNLOCK(alloc_lock) }
}

inline op_withdraw()
{
	d_step { alloc_lock == 0 -> LOCK(alloc_lock) };
	if
	:: d_step { deposit != 0 -> t = deposit } ;
	   d_step { deposit = 0 } ;
	   d_step { tstate[t - 1] = T_FREE; t = 0 }
	:: d_step { deposit == 0 }
	fi;
	d_step { UNLOCK(alloc_lock) }
}

inline op_retract(slot)
{
	d_step { page_table_lock == 0 -> LOCK(page_table_lock) };
	if
	:: d_step { pmd[slot] != 0 -> t = pmd[slot] } ;
	   d_step { tptl[t - 1] == 0 -> LOCK(tptl[t - 1]) } ;
	   d_step { pmd[slot] = 0 } ;
	   d_step { tstate[t - 1] = T_DEFERRED } ;
	   d_step { UNLOCK(tptl[t - 1]) } ;
	   d_step { UNLOCK(page_table_lock) } ;
#ifdef LIFECYCLE_BUG
	   d_step { tstate[t - 1] = T_FREE; t = 0 }
#else
	   d_step { CALL_RCU(t); t = 0 }
#endif
	:: d_step { pmd[slot] == 0 } ;
	   d_step { UNLOCK(page_table_lock) }
	fi
}

inline op_walk(slot)
{
	d_step { RCU_LOCK };
	if
	:: d_step { pmd[slot] != 0 -> t = pmd[slot] } ;
	   d_step { tptl[t - 1] == 0 -> LOCK(tptl[t - 1]) } ;
	   d_step { assert(tstate[t - 1] != T_FREE) } ;	/* BUG_ON */
	   d_step { UNLOCK(tptl[t - 1]); t = 0 }
	:: d_step { pmd[slot] == 0 }
	fi;
	d_step { RCU_UNLOCK }
}

inline op_split_ptl(slot)
{
	d_step { RCU_LOCK };
	if
	:: d_step { pmd[slot] != 0 -> t = pmd[slot] } ;
	   d_step { tptl[t - 1] == 0 -> LOCK(tptl[t - 1]) } ;
	   if
	   :: d_step { pmd[slot] == t } ;
	      d_step { v = tflag[t - 1] } ;
	      d_step { tflag[t - 1] = 1 - v; v = 0 }
	   :: d_step { pmd[slot] != t }
	   fi;
	   d_step { UNLOCK(tptl[t - 1]); t = 0 }
	:: d_step { pmd[slot] == 0 }
	fi;
	d_step { RCU_UNLOCK }
}

/* run(me, ROUNDS): the nondet(6) choice is one step. */
active [2] proctype worker()
{
	byte r, t, i, v;

end_run:
	do
	:: d_step { r < ROUNDS -> r++ } ; op_alloc(me)
	:: d_step { r < ROUNDS -> r++ } ; op_deposit()
	:: d_step { r < ROUNDS -> r++ } ; op_withdraw()
	:: d_step { r < ROUNDS -> r++ } ; op_retract(me)
	:: d_step { r < ROUNDS -> r++ } ; op_walk(1 - me)
	:: d_step { r < ROUNDS -> r++ } ; op_split_ptl(1 - me)
	od
}

/* Callback k may run: its grace period has ended and it is the oldest
 * pending callback of the thread that queued it. */
#define READY(k) \
	(qhead[k] != 0 && qwait[k] == 0 && \
	 (k < 1 || qthr[0] != qthr[k]) && (k < 2 || qthr[1] != qthr[k]))

/* Take callback k off the queue (the later ones move up), into cb, and read
 * its func word back, as rcu_do_batch() does (a bad word is ptcheck's
 * bad-call). Reading rcu_next too keeps both words in SPIN's state vector:
 * SPIN drops globals that are never read, ptcheck's memory keeps them. */
#define DEQUEUE(k) \
	cb = qhead[k]; \
	assert(rcu_func[cb - 1] == 1 && rcu_next[cb - 1] <= NT); \
	qn = k; \
	do \
	:: qn < QCAP - 1 -> \
		qhead[qn] = qhead[qn + 1]; qwait[qn] = qwait[qn + 1]; \
		qthr[qn] = qthr[qn + 1]; qn++ \
	:: else -> break \
	od; \
	qhead[QCAP - 1] = 0; qwait[QCAP - 1] = 0; qthr[QCAP - 1] = 0; qn = 0

/* The RCU callback context: rcu_do_batch() then table_free_rcu(). */
active proctype rcu()
{
	byte cb;

end_idle:
	do
	:: if
	   :: d_step { READY(0) -> DEQUEUE(0) }
	   :: d_step { READY(1) -> DEQUEUE(1) }
	   :: d_step { READY(2) -> DEQUEUE(2) }
	   fi;
	   /* one statement for every slot: ptcheck's callback is at one pc */
	   d_step { tstate[cb - 1] = T_FREE; cb = 0 }
	od
}
