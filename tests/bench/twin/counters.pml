/*
 * The Promela twin of spec/toy/counters.ptm (independent_counters): three
 * processes each store 1, 2, 3 into their own global. ptcheck finds 64
 * states, 144 transitions, depth 9. Each store is one step, as in ptcheck;
 * a process that is done rests at an end label instead of terminating, so
 * that SPIN's process deaths add no states (a finished ptcheck thread stays
 * in the state too). SPIN's partial-order reduction does not apply: every
 * step writes a global.
 */
byte c0, c1, c2;

active proctype A() { c0 = 1; c0 = 2; c0 = 3; end: false }
active proctype B() { c1 = 1; c1 = 2; c1 = 3; end: false }
active proctype C() { c2 = 1; c2 = 2; c2 = 3; end: false }
