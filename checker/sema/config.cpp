#include "sema/config.h"

namespace ptcheck {

bool eval_cond(const ast::Cond* c, const Config& cfg) {
  // Iterative on the right spine of And/Or chains, recursive otherwise; the parser
  // bounds nesting depth so recursion is bounded.
  if (!c) return true;
  switch (c->kind) {
    case ast::Cond::True: return true;
    case ast::Cond::False: return false;
    case ast::Cond::Sym: return cfg.enabled(c->sym);
    case ast::Cond::Not: return !eval_cond(c->a.get(), cfg);
    case ast::Cond::And: return eval_cond(c->a.get(), cfg) && eval_cond(c->b.get(), cfg);
    case ast::Cond::Or: return eval_cond(c->a.get(), cfg) || eval_cond(c->b.get(), cfg);
  }
  return false;
}

}  // namespace ptcheck
