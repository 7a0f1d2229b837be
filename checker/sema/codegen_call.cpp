// Calls: model functions, function pointers, function-like macros and the
// engine's builtins (READ_ONCE/WRITE_ONCE, checks, locks, RCU, atomics...).
#include <fmt/format.h>

#include "sema/codegen_impl.h"
#include "vm/printk.h"

namespace ptcheck::sema {

using vm::Builtin;
using vm::BuiltinRet;
using vm::Insn;
using vm::Op;
using vm::Operand;

namespace {
// The source text of [a, b) on one line, whitespace folded, for check messages.
std::string source_text(const SourceManager& sm, SourceLoc a, SourceLoc b) {
  if (!a.valid()) return {};
  std::string out;
  for (uint32_t line = a.line; line <= std::max(a.line, b.line) && line < a.line + 20; ++line) {
    std::string_view t = sm.line_text(a.file, line);
    size_t from = line == a.line ? std::min<size_t>(a.col ? a.col - 1 : 0, t.size()) : 0;
    size_t to = line == b.line && b.valid() && b.col ? std::min<size_t>(b.col - 1, t.size()) : t.size();
    if (to > from) {
      if (!out.empty()) out += ' ';
      out.append(t.substr(from, to - from));
    }
  }
  std::string folded;
  for (char c : out) {
    if ((c == ' ' || c == '\t') && (folded.empty() || folded.back() == ' ')) continue;
    folded += c == '\t' ? ' ' : c;
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}
}  // namespace

std::optional<std::string> FunctionCompiler::string_argument(const ast::Expr& e) {
  if (e.kind == ast::Expr::StringLit) return e.str;
  if (e.kind != ast::Expr::Ident) return std::nullopt;
  if (e.name == "__func__" || e.name == "__FUNCTION__") return fn_.name;
  const ast::MacroDef* m = env_.macro(e.name);
  if (m && !m->function_like && m->body && !find_local(e.name) && macro_stack_.size() < kMaxMacroNesting) {
    macro_stack_.push_back(e.name);
    auto r = string_argument(*m->body);
    macro_stack_.pop_back();
    return r;
  }
  return std::nullopt;
}

Val FunctionCompiler::call(const ast::Expr& e) {
  const ast::Expr& callee = *e.a;
  // ((t)(v)) in a macro body whose t is a type argument: a cast, not a call.
  if (callee.kind == ast::Expr::Ident && !macro_args_.empty() && e.args.size() == 1)
    if (auto it = macro_args_.back().find(callee.name);
        it != macro_args_.back().end() && it->second->kind == ast::Expr::TypeName)
      return cast(env_.resolve(*it->second->type), rvalue(*e.args[0]), e.loc);
  if (callee.kind == ast::Expr::Ident && !find_local(callee.name)) {
    const std::string& n = callee.name;
    if (auto v = ordered_access(n, e)) return *v;
    auto f = cg_.syms_.funcs.find(n);
    auto b = vm::find_builtin(n);
    bool defined = f != cg_.syms_.funcs.end() && cg_.syms_.defs.at(f->second)->body;
    if (f != cg_.syms_.funcs.end() && (defined || !b)) {
      uint32_t id = f->second;
      const ast::FuncDef& d = *cg_.syms_.defs.at(id);
      if (!d.body) error(e.loc, fmt::format("call to '{}', which is declared but never defined", n));
      if (e.args.size() < d.params.size() || (!d.variadic && e.args.size() > d.params.size()))
        error(e.loc, fmt::format("'{}' takes {} argument{}, {} given", n, d.params.size(),
                                 d.params.size() == 1 ? "" : "s", e.args.size()));
      std::vector<Operand> ops;
      for (size_t i = 0; i < e.args.size(); ++i) {
        Val v = rvalue(*e.args[i]);
        if (i < d.params.size()) {
          const Type* pt = env_.resolve(*d.params[i].type);
          if (pt->kind == TypeKind::Array) pt = env_.pointer_to(pt->elem);
          v = convert(v, pt, e.args[i]->loc);
        }
        ops.push_back(v.op);
      }
      cg_.out_.arglists.push_back(std::move(ops));
      const Type* rt = env_.resolve(*d.ret);
      Operand dst = rt->kind == TypeKind::Void ? Operand{0, 0, false} : temp_for(rt);
      Insn in{Op::Call, 0, dst};
      in.imm = id;
      in.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
      emit(in);
      cg_.note_function(fn_.id);
      cg_.callees_[fn_.id].push_back(id);
      return Val{Val::Reg, dst, rt, false};
    }
    if (!cg_.syms_.globals.count(n)) {
      if (const ast::MacroDef* m = env_.macro(n)) return expand_macro(*m, e);
      if (b) return call_builtin(*vm::resolve_builtin(n), e);
      if (auto v = kernel_macro(n, e)) return *v;
      error(callee.loc, fmt::format("call to undeclared function '{}'", n));
    }
  }
  // Through a function pointer.
  Val fp = rvalue(callee);
  const Type* ft = is_ptr(fp.type) ? fp.type->elem : nullptr;
  if (!ft || ft->kind != TypeKind::Function)
    error(callee.loc, fmt::format("called object of type {} is not a function", type_name(fp.type)));
  std::vector<Operand> ops;
  for (size_t i = 0; i < e.args.size(); ++i) {
    Val v = rvalue(*e.args[i]);
    if (i < ft->params.size()) v = convert(v, ft->params[i], e.args[i]->loc);
    ops.push_back(v.op);
  }
  cg_.out_.arglists.push_back(std::move(ops));
  const Type* rt = ft->elem;
  Operand dst = rt->kind == TypeKind::Void ? Operand{0, 0, false} : temp_for(rt);
  Insn in{Op::CallInd, 0, dst, fp.op};
  in.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
  emit(in);
  cg_.note_function(fn_.id);
  cg_.indirect_[fn_.id] = true;
  return Val{Val::Reg, dst, rt, false};
}

// The kernel's statement macros over the interrupt and lock primitives
// (include/linux/spinlock.h, irqflags.h, and the IPI wait of kernel/smp.c),
// compiled into their builtins in the kernel's order: interrupts go off before
// the lock is taken and come back after it is released.
std::optional<Val> FunctionCompiler::kernel_macro(const std::string& n, const ast::Expr& e) {
  struct Shape {
    const char* name;
    size_t args;
  };
  static const Shape kShapes[] = {{"spin_lock_irq", 1},       {"spin_unlock_irq", 1}, {"spin_lock_irqsave", 2},
                                  {"spin_unlock_irqrestore", 2}, {"local_irq_save", 1}};
  const Shape* shape = nullptr;
  for (const auto& k : kShapes)
    if (n == k.name) shape = &k;
  if (!shape) return std::nullopt;
  if (e.args.size() != shape->args)
    error(e.loc, fmt::format("'{}' takes {} argument{}, {} given", n, shape->args, shape->args == 1 ? "" : "s",
                             e.args.size()));
  auto word = [&](const ast::Expr& x) {
    Val v = rvalue(x);
    if (!is_scalar(v.type)) error(x.loc, fmt::format("'{}' expects scalar arguments", n));
    return convert(v, is_ptr(v.type) ? ulong_t() : (v.type->is_signed ? long_t() : ulong_t()), x.loc).op;
  };
  auto emit_builtin = [&](Builtin b, std::vector<Operand> ops, Operand dst) {
    Insn in{Op::Builtin};
    in.imm = static_cast<int64_t>(b);
    cg_.out_.arglists.push_back(std::move(ops));
    in.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
    in.a = dst;
    emit(in);
  };
  const Operand none{0, 0, false};
  auto save_flags = [&](const ast::Expr& flags) {
    Val dst = lvalue(flags);
    Operand t = temp(8);
    emit_builtin(Builtin::LocalIrqSave, {}, t);
    assign_to(dst, Val{Val::Reg, t, ulong_t(), false}, flags.loc);
  };
  const std::string_view name = shape->name;
  if (name == "spin_lock_irq") {
    Operand l = word(*e.args[0]);
    emit_builtin(Builtin::LocalIrqDisable, {}, none);
    emit_builtin(Builtin::SpinLock, {l}, none);
  } else if (name == "spin_unlock_irq") {
    emit_builtin(Builtin::SpinUnlock, {word(*e.args[0])}, none);
    emit_builtin(Builtin::LocalIrqEnable, {}, none);
  } else if (name == "spin_lock_irqsave") {
    Operand l = word(*e.args[0]);
    save_flags(*e.args[1]);
    emit_builtin(Builtin::SpinLock, {l}, none);
  } else if (name == "spin_unlock_irqrestore") {
    Operand l = word(*e.args[0]);
    Operand f = word(*e.args[1]);
    emit_builtin(Builtin::SpinUnlock, {l}, none);
    emit_builtin(Builtin::LocalIrqRestore, {f}, none);
  } else {  // local_irq_save
    save_flags(*e.args[0]);
  }
  return Val{Val::Reg, none, env_.void_type(), false};
}

std::optional<Val> FunctionCompiler::ordered_access(const std::string& n, const ast::Expr& e) {
  using vm::Order;
  struct Form {
    const char* name;
    size_t args;
    bool store;      // a store of args[1] (else a load)
    bool pointer;    // args[0] is a pointer to the location (else the location itself)
    Order order;
    bool mb_after;   // smp_store_mb: a full fence follows
  };
  // include/asm-generic/barrier.h, include/linux/rcupdate.h, srcu.h (v7.1.3).
  // rcu_dereference() is READ_ONCE() whose address dependency orders what it
  // feeds: an operational model without value speculation keeps that order.
  static const Form kForms[] = {
      {"READ_ONCE", 1, false, false, Order::Once, false},
      {"WRITE_ONCE", 2, true, false, Order::Once, false},
      {"smp_load_acquire", 1, false, true, Order::Acquire, false},
      {"smp_store_release", 2, true, true, Order::Release, false},
      {"smp_store_mb", 2, true, false, Order::Once, true},
      {"rcu_dereference", 1, false, false, Order::Once, false},
      {"rcu_dereference_bh", 1, false, false, Order::Once, false},
      {"rcu_dereference_sched", 1, false, false, Order::Once, false},
      {"rcu_dereference_raw", 1, false, false, Order::Once, false},
      {"rcu_dereference_protected", 2, false, false, Order::Once, false},
      {"rcu_dereference_check", 2, false, false, Order::Once, false},
      {"srcu_dereference", 2, false, false, Order::Once, false},
      {"rcu_access_pointer", 1, false, false, Order::Once, false},
      {"rcu_assign_pointer", 2, true, false, Order::Release, false},
      {"RCU_INIT_POINTER", 2, true, false, Order::Once, false},
  };
  const Form* f = nullptr;
  for (const auto& k : kForms)
    if (n == k.name) f = &k;
  if (!f) return std::nullopt;
  if (e.args.size() != f->args)
    error(e.loc, fmt::format("{} takes {} argument{}", n, f->args, f->args == 1 ? "" : "s"));
  Val loc = f->pointer ? deref(rvalue(*e.args[0]), e.args[0]->loc) : f->store ? lvalue(*e.args[0]) : expr(*e.args[0]);
  const auto order = static_cast<uint8_t>(f->order);
  if (!f->store) {
    // rcu_dereference_protected(p, c) and friends: c is lockdep's, not evaluated.
    Val v = to_rvalue(loc, e.loc);
    if (loc.kind == Val::Mem) mark_last(Op::Load, order);
    return v;
  }
  assign_to(loc, rvalue(*e.args[1]), e.loc);
  if (loc.kind == Val::Mem) mark_last(Op::Store, order);
  if (f->mb_after) {
    Insn in{Op::Builtin};
    in.imm = static_cast<int64_t>(Builtin::SmpMb);
    cg_.out_.arglists.emplace_back();
    in.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
    emit(in);
  }
  return Val{Val::Reg, Operand{0, 0, false}, env_.void_type(), false};
}

Val FunctionCompiler::call_builtin(Builtin b, const ast::Expr& e) { return call_builtin(vm::BuiltinCall{b}, e); }

Val FunctionCompiler::call_builtin(const vm::BuiltinCall& bc, const ast::Expr& e) {
  const Builtin b = bc.id;
  const vm::BuiltinInfo& info = vm::builtin_info(b);
  int n = static_cast<int>(e.args.size());
  if (b == Builtin::AtomicRmw || b == Builtin::AtomicLongRmw) {
    // The spelling decides the argument count (resolve_builtin).
    const std::string& name = e.a->name;
    int want = bc.implicit_one ? 1 : bc.op == vm::RmwOp::Cmpxchg || bc.op == vm::RmwOp::AddUnless ? 3 : 2;
    if (n != want) error(e.loc, fmt::format("'{}' takes {} argument{}, {} given", name, want, want == 1 ? "" : "s", n));
  }
  if (n < info.min_args || (info.max_args >= 0 && n > info.max_args)) {
    std::string want = info.max_args < 0 ? fmt::format("at least {}", info.min_args)
                     : info.min_args == info.max_args ? std::to_string(info.min_args)
                     : fmt::format("{} to {}", info.min_args, info.max_args);
    error(e.loc, fmt::format("'{}' takes {} argument{}, {} given", info.name, want,
                             info.max_args == 1 ? "" : "s", n));
  }
  auto void_val = [&]() { return Val{Val::Reg, Operand{0, 0, false}, env_.void_type(), false}; };
  const bool debug_vm = cg_.cfg_.enabled("CONFIG_DEBUG_VM");
  switch (b) {
    case Builtin::Likely:
    case Builtin::Unlikely:
      return rvalue(*e.args[0]);
    case Builtin::Barrier:
      return void_val();
    case Builtin::VmBugOn:
    case Builtin::VmBugOnPage:
    case Builtin::VmWarnOn:
      // Without CONFIG_DEBUG_VM these are BUILD_BUG_ON_INVALID(): not evaluated.
      if (!debug_vm) return b == Builtin::VmWarnOn ? constant(0, int_t()) : void_val();
      break;
    default:
      break;
  }

  Insn in{Op::Builtin};
  in.imm = static_cast<int64_t>(b);
  std::vector<Operand> ops;
  const Type* rt = env_.void_type();
  const Type* arg0_type = nullptr;
  size_t first = 0, last = e.args.size();
  std::vector<bool> spliced(e.args.size(), false);
  if (b == Builtin::BadPage) {
    // bad_page(page, "reason"): the reason is a string literal, as dump_page()'s.
    if (e.args[1]->kind != ast::Expr::StringLit) error(e.args[1]->loc, "bad_page reason must be a string literal");
    in.c.off = string_index(e.args[1]->loc, e.args[1]->str);
    last = 1;
  }
  if (b == Builtin::TraceNote) {
    // __trace_note("what", args...): the note's name is a string literal.
    if (e.args[0]->kind != ast::Expr::StringLit) error(e.args[0]->loc, "__trace_note's first argument must be a string literal");
    in.c.off = string_index(e.args[0]->loc, e.args[0]->str);
    ops.push_back(constant(0, long_t()).op);
    first = 1;
  }
  if (b == Builtin::Printk || b == Builtin::PrAlertBug) {
    if (e.args[0]->kind != ast::Expr::StringLit) error(e.args[0]->loc, "printk format must be a string literal");
    // %s arguments are spliced into the format: string literals, __func__ and
    // macros of those (strings in model memory are not modelled).
    std::string format = e.args[0]->str;
    auto convs = vm::printk_conversions(format);
    for (size_t k = convs.size(); k-- > 0;) {
      if (convs[k].conv != 's') continue;
      if (k + 1 >= e.args.size()) error(e.args[0]->loc, fmt::format("printk: %s number {} has no argument", k + 1));
      auto text = string_argument(*e.args[k + 1]);
      if (!text)
        error(e.args[k + 1]->loc, "printk %s takes a string literal or __func__ (strings in model memory are not "
                                  "modelled)");
      // %-8s / %8s: pad to the width, as vsprintf does.
      std::string spec = format.substr(convs[k].begin + 1, convs[k].end - convs[k].begin - 2);
      bool left = spec.find('-') != std::string::npos;
      size_t width = 0;
      for (char c : spec)
        if (c >= '0' && c <= '9') width = std::min<size_t>(width * 10 + static_cast<size_t>(c - '0'), 4096);
      std::string padded = *text;
      if (padded.size() < width) padded = left ? padded + std::string(width - padded.size(), ' ')
                                               : std::string(width - padded.size(), ' ') + padded;
      std::string escaped;
      for (char c : padded) escaped += c == '%' ? std::string("%%") : std::string(1, c);
      format.replace(convs[k].begin, convs[k].end - convs[k].begin, escaped);
      spliced[k + 1] = true;
    }
    in.c.off = string_index(e.args[0]->loc, format);
    ops.push_back(constant(0, long_t()).op);
    first = 1;
  }
  if (b == Builtin::BugOn || b == Builtin::VmBugOn || b == Builtin::VmBugOnPage || b == Builtin::WarnOn ||
      b == Builtin::WarnOnOnce || b == Builtin::VmWarnOn) {
    std::string text = source_text(cg_.sm_, e.args[0]->loc, e.args[0]->end);
    in.c.off = string_index(e.loc, fmt::format("{}({})", info.name, text));
  }
  // nondet(n): a choice is part of an explorer label (24 bits) and the
  // interpreter offers at most 2^20 of them; a larger constant is a model
  // limit, said here rather than cut short at run time.
  if (b == Builtin::Nondet)
    if (auto n = env_.try_const(*e.args[0]); n && static_cast<uint64_t>(*n) > vm::kMaxNondetChoices)
      error(e.args[0]->loc, fmt::format("nondet({}): at most {} choices (model limit)", *n, vm::kMaxNondetChoices));
  for (size_t i = first; i < last; ++i) {
    if (spliced[i]) continue;
    Val v = rvalue(*e.args[i]);
    if (i == 0) arg0_type = v.type;
    if (!is_scalar(v.type)) error(e.args[i]->loc, fmt::format("'{}' expects scalar arguments", info.name));
    // Builtins take machine words: integers widen with their own signedness.
    if (v.op.size != 8) v = convert(v, is_ptr(v.type) ? ulong_t() : (v.type->is_signed ? long_t() : ulong_t()),
                                    e.args[i]->loc);
    ops.push_back(v.op);
  }
  switch (info.ret) {
    case BuiltinRet::Void: rt = env_.void_type(); break;
    case BuiltinRet::Int: rt = int_t(); break;
    case BuiltinRet::Long: rt = long_t(); break;
    case BuiltinRet::ULong: rt = ulong_t(); break;
    case BuiltinRet::Bool: rt = env_.bool_type(); break;
    case BuiltinRet::VoidPtr: rt = env_.pointer_to(env_.void_type()); break;
    case BuiltinRet::PagePtr: {
      const Type* page = env_.record("page");
      rt = env_.pointer_to(page ? page : env_.void_type());
      break;
    }
    case BuiltinRet::ArgType:
    case BuiltinRet::ArgPointee:
      if (!is_ptr(arg0_type) || arg0_type->elem->kind == TypeKind::Void)
        error(e.args[0]->loc, fmt::format("'{}' needs a typed pointer argument", info.name));
      rt = info.ret == BuiltinRet::ArgType ? arg0_type : arg0_type->elem;
      break;
  }
  if (b == Builtin::Cmpxchg || b == Builtin::Xchg) {
    if (!is_scalar(rt)) error(e.loc, fmt::format("'{}' on a non-scalar location", info.name));
    in.c.size = static_cast<uint32_t>(rt->size);
    in.c.sign = rt->kind == TypeKind::Int && rt->is_signed;
  }
  if (b == Builtin::FirstObject || b == Builtin::NextObject) {
    auto& lists = cg_.type_region_lists_;
    auto it = lists.find(arg0_type->elem);
    if (it == lists.end()) it = lists.emplace(arg0_type->elem, static_cast<uint32_t>(lists.size())).first;
    if (it->second > vm::InsnOperand::kMaxOff)
      error(e.loc, fmt::format("more than {} types walked by '{}'", vm::InsnOperand::kMaxOff + 1, info.name));
    in.c.off = static_cast<uint16_t>(it->second);
  }
  in.sub = bc.order;
  if (b == Builtin::AtomicRmw || b == Builtin::AtomicLongRmw) {
    // Normalised to (counter, operand[, operand2]).
    if (bc.implicit_one) ops.push_back(constant(1, long_t()).op);
    if (bc.counter_second) std::swap(ops[0], ops[1]);
    in.c.off = static_cast<uint32_t>(bc.op);
    in.c.sign = bc.returns_old;
  }
  cg_.out_.arglists.push_back(ops);
  in.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
  in.a = rt->kind == TypeKind::Void ? Operand{0, 0, false} : temp_for(rt);
  emit(in);
  if (b == Builtin::SynchronizeSrcu) {
    // As synchronize_rcu(): the grace period of the domain is a second,
    // blocking step on the same srcu_struct.
    cg_.out_.arglists.push_back(ops);
    Insn w{Op::Builtin};
    w.imm = static_cast<int64_t>(Builtin::SynchronizeSrcuWait);
    w.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
    w.a = Operand{0, 0, false};
    emit(w);
  }
  if (b == Builtin::SynchronizeRcu || b == Builtin::SmpCallFunction) {
    // The grace period (the IPI's delivery) is a second, blocking step: the
    // context waits until every reader it saw has left its read-side section
    // (every CPU it saw with interrupts off has enabled them).
    cg_.out_.arglists.emplace_back();
    Insn w{Op::Builtin};
    w.imm = static_cast<int64_t>(b == Builtin::SynchronizeRcu ? Builtin::SynchronizeRcuWait
                                                               : Builtin::SmpCallFunctionWait);
    w.aux = static_cast<uint32_t>(cg_.out_.arglists.size() - 1);
    w.a = Operand{0, 0, false};
    emit(w);
  }
  return Val{Val::Reg, in.a, rt, false};
}

}  // namespace ptcheck::sema
