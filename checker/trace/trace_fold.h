#pragma once
// Folding a trace's memory lines for people: a page-allocator step reads and
// writes two dozen bookkeeping words (zone free lists, buddy links, the order
// in page->private), and a memset writes a page word by word. The text form
// shows a step's other accesses and says how many it folded; `check
// --trace-detail` and the JSON form keep every one. Replay accepts a folded
// step when the writes it shows happen, in order, among as many as it counts.
#include "trace/trace.h"

namespace ptcheck::trace {

// The step as the text form shows it: folded lines dropped and counted in
// folded_reads/folded_writes (an already folded step is returned as is).
Step fold_step(const Step& s);
// A step of the page allocator (model/mm/page_alloc.ptm).
bool is_allocator_step(const Step& s);

// Whether `now` (every access of the step as replayed) matches `recorded`
// (possibly folded): same writes in order, or, folded, the recorded writes a
// subsequence of now's with the folded ones making up the count.
bool writes_match(const Step& recorded, const Step& now);

}  // namespace ptcheck::trace
