// Expressions: C's value categories, conversions and pointer arithmetic, lowered
// so that every dereference is its own Load or Store instruction.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sema/codegen_impl.h"

namespace ptcheck::sema {

using vm::BinOp;
using vm::Insn;
using vm::Op;
using vm::Operand;

bool FunctionCompiler::is_int(const Type* t) const {
  return t && (t->kind == TypeKind::Int || t->kind == TypeKind::Bool);
}
bool FunctionCompiler::is_ptr(const Type* t) const { return t && t->kind == TypeKind::Pointer; }
bool FunctionCompiler::is_scalar(const Type* t) const { return is_int(t) || is_ptr(t); }
const Type* FunctionCompiler::ulong_t() const { return env_.int_type(cg_.out_.word_size, false); }
const Type* FunctionCompiler::long_t() const { return env_.int_type(cg_.out_.word_size, true); }
const Type* FunctionCompiler::int_t() const { return env_.int_type(4, true); }
std::string FunctionCompiler::type_name(const Type* t) const { return t ? t->name : "<unknown>"; }

const Type* FunctionCompiler::common_type(const Type* a, const Type* b) const {
  // Usual arithmetic conversions, on the integer types the model uses.
  auto promote = [&](const Type* t) { return t->size < 4 || t->kind == TypeKind::Bool ? int_t() : t; };
  a = promote(a);
  b = promote(b);
  if (a->size != b->size) return a->size > b->size ? a : b;
  if (!a->is_signed) return a;
  return b;
}

Val FunctionCompiler::constant(uint64_t v, const Type* t) {
  Operand o = temp_for(t);
  emit(Insn{Op::Const, 0, o, {}, {}, static_cast<int64_t>(v)});
  return Val{Val::Reg, o, t, false};
}

Val FunctionCompiler::to_rvalue(const Val& v, SourceLoc loc) {
  if (v.type->kind == TypeKind::Array) {
    Val a = address_of(v, loc);
    a.type = env_.pointer_to(v.type->elem);
    return a;
  }
  if (v.type->kind == TypeKind::Function) error(loc, "function used as a value");
  if (v.kind == Val::Reg) return Val{Val::Reg, v.op, v.type, false};
  if (v.type->kind == TypeKind::Record && !v.type->complete)
    error(loc, fmt::format("use of incomplete type {}", type_name(v.type)));
  if (v.type->kind == TypeKind::Void) error(loc, "dereference of a void pointer");
  Operand dst = temp_for(v.type);
  emit(Insn{Op::Load, 0, dst, v.op});
  return Val{Val::Reg, dst, v.type, false};
}

Val FunctionCompiler::convert(const Val& v, const Type* to, SourceLoc loc) {
  if (to->kind == TypeKind::Void) return Val{Val::Reg, Operand{0, 0, false}, to, false};
  if (v.type == to) return v;
  if (to->kind == TypeKind::Record || v.type->kind == TypeKind::Record) {
    if (to->kind == v.type->kind && to->size == v.type->size && to->name == v.type->name)
      return Val{Val::Reg, v.op, to, false};
    error(loc, fmt::format("cannot convert {} to {}", type_name(v.type), type_name(to)));
  }
  if (!is_scalar(v.type) || !is_scalar(to))
    error(loc, fmt::format("cannot convert {} to {}", type_name(v.type), type_name(to)));
  if (to->kind == TypeKind::Bool) {
    Operand z = temp(8);
    emit(Insn{Op::Const, 0, z});
    Operand o = temp(to->size);
    emit(Insn{Op::Bin, static_cast<uint8_t>(BinOp::Ne), o, v.op, z});
    return Val{Val::Reg, o, to, false};
  }
  Operand want = op_for(to, 0);
  if (want.size == v.op.size && want.sign == v.op.sign) return Val{Val::Reg, v.op, to, false};
  // A move reads the source with its own extension and truncates to the target.
  Operand o = temp_for(to);
  emit(Insn{Op::Mov, 0, o, v.op});
  return Val{Val::Reg, o, to, false};
}

vm::Operand FunctionCompiler::cond(const ast::Expr& e) {
  Val v = rvalue(e);
  if (!is_scalar(v.type)) error(e.loc, fmt::format("{} used where a truth value is needed", type_name(v.type)));
  return v.op;
}

Val FunctionCompiler::address_of(const Val& lv, SourceLoc loc) {
  if (lv.kind == Val::Mem) return Val{Val::Reg, lv.op, env_.pointer_to(lv.type), false};
  if (!lv.is_lvalue) error(loc, "cannot take the address of an rvalue");
  Operand a = temp(8);
  emit(Insn{Op::FrameAddr, 0, a, {}, {}, lv.op.off});
  return Val{Val::Reg, a, env_.pointer_to(lv.type), false};
}

Val FunctionCompiler::deref(const Val& p, SourceLoc loc) {
  Val ptr = to_rvalue(p, loc);
  if (!is_ptr(ptr.type)) error(loc, fmt::format("dereference of non-pointer type {}", type_name(ptr.type)));
  const Type* t = ptr.type->elem;
  if (t->kind == TypeKind::Function) return ptr;  // (*fp)(...) is fp(...)
  // C11 6.5.3.2: *p of a void * designates no object (a store through it
  // would write 0 bytes; a load has no value): refused for reads and writes.
  if (t->kind == TypeKind::Void) error(loc, "dereference of a void pointer");
  return Val{Val::Mem, ptr.op, t, true};
}

Val FunctionCompiler::member(const Val& base, const std::string& name, bool arrow, SourceLoc loc) {
  Val obj = arrow ? deref(base, loc) : base;
  if (obj.type->kind != TypeKind::Record)
    error(loc, fmt::format("member '{}' requested from non-struct type {}", name, type_name(obj.type)));
  if (!obj.type->complete) error(loc, fmt::format("member access into incomplete type {}", type_name(obj.type)));
  auto m = env_.member(obj.type, name);
  if (!m) error(loc, fmt::format("{} has no member named '{}'", type_name(obj.type), name));
  if (obj.kind == Val::Reg) {
    Operand o = op_for(m->type, obj.op.off + static_cast<uint32_t>(m->offset));
    return Val{Val::Reg, o, m->type, obj.is_lvalue};
  }
  if (m->offset == 0) return Val{Val::Mem, obj.op, m->type, true};
  Operand k = temp(8);
  emit(Insn{Op::Const, 0, k, {}, {}, static_cast<int64_t>(m->offset)});
  Operand a = temp(8);
  emit(Insn{Op::Bin, static_cast<uint8_t>(BinOp::Add), a, obj.op, k});
  return Val{Val::Mem, a, m->type, true};
}

Val FunctionCompiler::binary(const std::string& op, const Val& a0, const Val& b0, SourceLoc loc) {
  Val a = to_rvalue(a0, loc), b = to_rvalue(b0, loc);
  auto emit_bin = [&](BinOp o, const Val& x, const Val& y, const Type* rt) {
    Operand d = temp_for(rt);
    emit(Insn{Op::Bin, static_cast<uint8_t>(o), d, x.op, y.op});
    return Val{Val::Reg, d, rt, false};
  };
  auto scale = [&](const Val& i, const Type* ptr) {
    uint64_t sz = ptr->elem->kind == TypeKind::Void ? 1 : ptr->elem->size;  // GNU void * arithmetic
    if (sz == 1) return convert(i, long_t(), loc);
    return emit_bin(BinOp::Mul, convert(i, long_t(), loc), constant(sz, long_t()), long_t());
  };
  if (op == "+" || op == "-") {
    if (is_ptr(a.type) && is_int(b.type))
      return emit_bin(op == "+" ? BinOp::Add : BinOp::Sub, a, scale(b, a.type), a.type);
    if (op == "+" && is_int(a.type) && is_ptr(b.type)) return emit_bin(BinOp::Add, b, scale(a, b.type), b.type);
    if (op == "-" && is_ptr(a.type) && is_ptr(b.type)) {
      Val d = emit_bin(BinOp::Sub, a, b, long_t());
      uint64_t sz = a.type->elem->kind == TypeKind::Void ? 1 : a.type->elem->size;
      return sz == 1 ? d : emit_bin(BinOp::DivS, d, constant(sz, long_t()), long_t());
    }
  }
  bool cmp = op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
  if (cmp && (is_ptr(a.type) || is_ptr(b.type))) {
    if (!is_scalar(a.type) || !is_scalar(b.type)) error(loc, "comparison of pointer with non-scalar");
    BinOp o = op == "==" ? BinOp::Eq : op == "!=" ? BinOp::Ne : op == "<" ? BinOp::LtU
            : op == "<=" ? BinOp::LeU : op == ">" ? BinOp::GtU : BinOp::GeU;
    return emit_bin(o, convert(a, ulong_t(), loc), convert(b, ulong_t(), loc), int_t());
  }
  if (!is_int(a.type) || !is_int(b.type))
    error(loc, fmt::format("invalid operands to '{}' ({} and {})", op, type_name(a.type), type_name(b.type)));
  if (op == "<<" || op == ">>") {
    const Type* rt = common_type(a.type, a.type);
    Val x = convert(a, rt, loc);
    BinOp o = op == "<<" ? BinOp::Shl : rt->is_signed ? BinOp::ShrS : BinOp::ShrU;
    // The shifted type's name rides in imm (a string index), for UBSAN's
    // report of a shift exponent out of range (vm/machine.cpp).
    Operand d = temp_for(rt);
    emit(Insn{Op::Bin, static_cast<uint8_t>(o), d, x.op, b.op, cg_.intern_string(rt->name)});
    return Val{Val::Reg, d, rt, false};
  }
  const Type* ct = common_type(a.type, b.type);
  Val x = convert(a, ct, loc), y = convert(b, ct, loc);
  bool s = ct->is_signed;
  static const std::map<std::string, std::pair<BinOp, BinOp>> ops = {
      {"+", {BinOp::Add, BinOp::Add}},   {"-", {BinOp::Sub, BinOp::Sub}},   {"*", {BinOp::Mul, BinOp::Mul}},
      {"/", {BinOp::DivS, BinOp::DivU}}, {"%", {BinOp::ModS, BinOp::ModU}}, {"&", {BinOp::And, BinOp::And}},
      {"|", {BinOp::Or, BinOp::Or}},     {"^", {BinOp::Xor, BinOp::Xor}},   {"==", {BinOp::Eq, BinOp::Eq}},
      {"!=", {BinOp::Ne, BinOp::Ne}},    {"<", {BinOp::LtS, BinOp::LtU}},   {"<=", {BinOp::LeS, BinOp::LeU}},
      {">", {BinOp::GtS, BinOp::GtU}},   {">=", {BinOp::GeS, BinOp::GeU}},
  };
  auto it = ops.find(op);
  if (it == ops.end()) error(loc, fmt::format("unsupported operator '{}'", op));
  return emit_bin(s ? it->second.first : it->second.second, x, y, cmp ? int_t() : ct);
}

void FunctionCompiler::assign_to(const Val& dst, const Val& src, SourceLoc loc) {
  if (!dst.is_lvalue) error(loc, "assignment to something that is not an lvalue");
  if (dst.type->kind == TypeKind::Array) error(loc, "assignment to an array");
  Val v = convert(to_rvalue(src, loc), dst.type, loc);
  if (dst.kind == Val::Reg) emit(Insn{Op::Mov, 0, dst.op, v.op});
  else emit(Insn{Op::Store, 0, dst.op, v.op});
}

Val FunctionCompiler::assign(const ast::Expr& e) {
  Val lv = lvalue(*e.a);
  if (e.op == "=") {
    Val v = rvalue(*e.b);
    assign_to(lv, v, e.loc);
    return convert(v, lv.type, e.loc);
  }
  std::string bop = e.op.substr(0, e.op.size() - 1);
  Val cur = to_rvalue(lv, e.loc);
  Val r = binary(bop, cur, rvalue(*e.b), e.loc);
  assign_to(lv, r, e.loc);
  return convert(r, lv.type, e.loc);
}

Val FunctionCompiler::incdec(const ast::Expr& e) {
  Val lv = lvalue(*e.a);
  Val old = to_rvalue(lv, e.loc);
  if (!is_scalar(old.type)) error(e.loc, "increment of a non-scalar");
  bool inc = e.op == "++pre" || e.op == "post++";
  bool post = e.op[0] == 'p';
  Val saved = old;
  if (post) {
    Operand t = temp_for(old.type);
    emit(Insn{Op::Mov, 0, t, old.op});
    saved = Val{Val::Reg, t, old.type, false};
  }
  Val r = binary(inc ? "+" : "-", old, constant(1, int_t()), e.loc);
  assign_to(lv, r, e.loc);
  return post ? saved : convert(r, lv.type, e.loc);
}

Val FunctionCompiler::logical(const ast::Expr& e) {
  bool is_and = e.op == "&&";
  Operand res = temp(4, true);
  Operand ca = cond(*e.a);
  uint32_t j1 = emit(Insn{is_and ? Op::Jz : Op::Jnz, 0, ca});
  Operand cb = cond(*e.b);
  uint32_t j2 = emit(Insn{is_and ? Op::Jz : Op::Jnz, 0, cb});
  emit(Insn{Op::Const, 0, res, {}, {}, is_and ? 1 : 0});
  uint32_t jend = emit(Insn{Op::Jmp});
  patch(j1, here());
  patch(j2, here());
  emit(Insn{Op::Const, 0, res, {}, {}, is_and ? 0 : 1});
  patch(jend, here());
  return Val{Val::Reg, res, int_t(), false};
}

Val FunctionCompiler::ternary(const ast::Expr& e) {
  const Type* tb = type_of(*e.b);
  const Type* tc = type_of(*e.c);
  const Type* rt = tb;
  if (is_int(tb) && is_int(tc)) rt = common_type(tb, tc);
  else if (is_ptr(tc) && !is_ptr(tb)) rt = tc;
  if (rt->kind == TypeKind::Array) rt = env_.pointer_to(rt->elem);
  Operand c = cond(*e.a);
  uint32_t jelse = emit(Insn{Op::Jz, 0, c});
  Operand res = rt->kind == TypeKind::Void ? Operand{0, 0, false} : temp_for(rt);
  Val vb = rvalue(*e.b);
  if (res.size) emit(Insn{Op::Mov, 0, res, convert(vb, rt, e.b->loc).op});
  uint32_t jend = emit(Insn{Op::Jmp});
  patch(jelse, here());
  Val vc = rvalue(*e.c);
  if (res.size) emit(Insn{Op::Mov, 0, res, convert(vc, rt, e.c->loc).op});
  patch(jend, here());
  return Val{Val::Reg, res, rt, false};
}

Val FunctionCompiler::ident(const ast::Expr& e) {
  const std::string& n = e.name;
  if (!macro_args_.empty()) {
    auto it = macro_args_.back().find(n);
    if (it != macro_args_.back().end()) {
      // The argument is evaluated in the scope of the macro's caller, where
      // an enclosing macro's own parameters are visible again.
      const ast::Expr* arg = it->second;
      struct Restore {  // also when compiling the argument fails
        std::vector<std::map<std::string, const ast::Expr*>>& args;
        std::map<std::string, const ast::Expr*> saved;
        ~Restore() { args.push_back(std::move(saved)); }
      } restore{macro_args_, std::move(macro_args_.back())};
      macro_args_.pop_back();
      return expr(*arg);
    }
  }
  if (const Local* l = find_local(n)) return Val{Val::Reg, op_for(l->type, l->off), l->type, true};
  auto g = cg_.syms_.globals.find(n);
  if (g != cg_.syms_.globals.end()) {
    if (g->second.is_value) return constant(g->second.addr, g->second.type);
    Val a = constant(g->second.addr, ulong_t());
    return Val{Val::Mem, a.op, g->second.type, true};
  }
  auto f = cg_.syms_.funcs.find(n);
  if (f != cg_.syms_.funcs.end()) {
    const vm::Function& fn = cg_.out_.funcs[f->second];
    cg_.note_function(f->second);
    cg_.address_taken_[f->second] = true;
    const ast::FuncDef* d = cg_.syms_.defs.at(f->second);
    std::vector<const Type*> ps;
    for (const auto& p : d->params) ps.push_back(env_.resolve(*p.type));
    const Type* ft = env_.function_type(env_.resolve(*d->ret), ps, d->variadic);
    return constant(fn.address, env_.pointer_to(ft));
  }
  if (const ast::MacroDef* m = env_.macro(n)) {
    if (m->function_like) error(e.loc, fmt::format("function-like macro '{}' used without arguments", n));
    if (!m->body) error(e.loc, fmt::format("statement macro '{}' used as a value", n));
    enter_macro(n, e.loc);
    Val v = expr(*m->body);
    leave_macro();
    return v;
  }
  if (auto c = env_.try_const(e)) return constant(static_cast<uint64_t>(*c), long_t());
  if (n == "NULL") return constant(0, env_.pointer_to(env_.void_type()));
  if (n == "true" || n == "false") return constant(n == "true", env_.bool_type());
  error(e.loc, fmt::format("use of undeclared identifier '{}'", n));
}

const Type* FunctionCompiler::type_of(const ast::Expr& e) {
  // A node outside any macro expansion has one type in this function: known
  // types are reused, or `a ? b : c ? d : ...` would compile each level twice
  // per enclosing level (exponential).
  const bool memo = macro_stack_.empty();
  if (memo)
    if (auto it = type_memo_.find(&e); it != type_memo_.end()) return it->second;
  // Compile into the void: keep the type, drop the code.
  size_t code = fn_.code.size(), locs = cg_.out_.locs.size(), args = cg_.out_.arglists.size();
  uint32_t tu = temp_used_;
  uint32_t saved_loc = cur_loc_;
  Val v = expr(e);
  const Type* t = v.type;  // arrays stay arrays: sizeof needs the whole object
  fn_.code.resize(code);
  cg_.out_.locs.resize(locs);
  cg_.out_.arglists.resize(args);
  temp_used_ = tu;
  cur_loc_ = saved_loc;
  if (memo) type_memo_[&e] = t;
  return t;
}

Val FunctionCompiler::lvalue(const ast::Expr& e) {
  Val v = expr(e);
  if (!v.is_lvalue) error(e.loc, "expression is not assignable");
  return v;
}

Val FunctionCompiler::rvalue(const ast::Expr& e) { return to_rvalue(expr(e), e.loc); }

namespace {
void names_in(const ast::Expr* e, std::vector<std::string>& out) {
  if (!e) return;
  if (e->kind == ast::Expr::Ident) out.push_back(e->name);
  names_in(e->a.get(), out);
  names_in(e->b.get(), out);
  names_in(e->c.get(), out);
  for (const auto& a : e->args) names_in(a.get(), out);
}
// Whether macro `name`'s expansion can reach `name` again (a real cycle, as
// opposed to deep nesting).
bool expands_itself(const TypeEnv& env, const std::string& name) {
  std::set<std::string> seen;
  std::vector<std::string> work{name};
  while (!work.empty()) {
    const ast::MacroDef* m = env.macro(work.back());
    work.pop_back();
    if (!m || !m->body) continue;
    std::vector<std::string> refs;
    names_in(m->body.get(), refs);
    for (const auto& r : refs) {
      if (r == name) return true;
      if (seen.insert(r).second) work.push_back(r);
    }
  }
  return false;
}
}  // namespace

void FunctionCompiler::enter_macro(const std::string& name, SourceLoc use) {
  if (macro_stack_.empty()) macro_use_ = use;
  macro_stack_.push_back(name);
  if (++macro_depth_ > kMaxMacroNesting) {
    bool cycle = expands_itself(env_, name);
    error(macro_use_, fmt::format("macro '{}' {}: expansion nests more than {} levels ({} -> ... -> {})",
                                  macro_stack_.front(), cycle ? "expands itself" : "nests too deeply",
                                  kMaxMacroNesting, macro_stack_.front(), name));
  }
}

void FunctionCompiler::leave_macro() {
  macro_stack_.pop_back();
  --macro_depth_;
}

Val FunctionCompiler::expr(const ast::Expr& e) {
  // The parser bounds a tree's depth; macro expansion can nest and copy trees
  // past any bound, so the compiler keeps its own.
  if (++expr_nodes_ > kMaxExprNodes) {
    if (!macro_stack_.empty())
      error(macro_use_, fmt::format("macro '{}' expands to more than {} terms here: expected a smaller expansion",
                                    macro_stack_.front(), kMaxExprNodes));
    error(e.loc, fmt::format("function '{}' is too large to compile: more than {} expression terms", fn_.name,
                             kMaxExprNodes));
  }
  if (expr_depth_ >= kMaxCompileDepth)
    error(macro_stack_.empty() ? e.loc : macro_use_,
          macro_stack_.empty()
              ? fmt::format("expression nests more than {} levels deep", kMaxCompileDepth)
              : fmt::format("macro '{}' expands to an expression more than {} levels deep here", macro_stack_.front(),
                            kMaxCompileDepth));
  ++expr_depth_;
  struct Leave {
    uint32_t& d;
    ~Leave() { --d; }
  } leave{expr_depth_};
  return expr_node(e);
}

Val FunctionCompiler::cast(const Type* to, const Val& v, SourceLoc loc) {
  if (to->kind == TypeKind::Void) return Val{Val::Reg, Operand{0, 0, false}, to, false};
  if (is_scalar(to) && is_scalar(v.type)) {
    if (to->kind == TypeKind::Bool) return convert(v, to, loc);
    Operand want = op_for(to, 0);
    if (want.size == v.op.size && want.sign == v.op.sign) return Val{Val::Reg, v.op, to, false};
    Operand d = temp_for(to);
    emit(Insn{Op::Mov, 0, d, v.op});
    return Val{Val::Reg, d, to, false};
  }
  return convert(v, to, loc);
}

Val FunctionCompiler::expr_node(const ast::Expr& e) {
  using K = ast::Expr;
  switch (e.kind) {
    case K::IntLit:
    case K::CharLit: {
      const Type* t;
      if (e.kind == K::CharLit) t = int_t();
      else if (!e.is_long && e.value <= (e.is_unsigned ? 0xffffffffull : 0x7fffffffull))
        t = env_.int_type(4, !e.is_unsigned);
      else t = e.is_unsigned || e.value > 0x7fffffffffffffffull ? ulong_t() : long_t();
      return constant(e.value, t);
    }
    case K::StringLit:
      error(e.loc, "string literals are only supported as printk formats");
    case K::Ident:
      return ident(e);
    case K::Unary: {
      const std::string& op = e.op;
      if (op == "*") return deref(expr(*e.a), e.loc);
      if (op == "&") {
        if (e.a->kind == K::Ident && !find_local(e.a->name) && cg_.syms_.funcs.count(e.a->name) &&
            !cg_.syms_.globals.count(e.a->name))
          return ident(*e.a);  // &function
        Val v = expr(*e.a);
        if (v.type->kind == TypeKind::Function) return v;
        return address_of(v, e.loc);
      }
      if (op == "++pre" || op == "--pre" || op == "post++" || op == "post--") return incdec(e);
      Val v = rvalue(*e.a);
      if (op == "+") return v;
      if (op == "!") {
        if (!is_scalar(v.type)) error(e.loc, "invalid operand to '!'");
        Operand d = temp(4, true);
        emit(Insn{Op::Un, static_cast<uint8_t>(vm::UnOp::LNot), d, v.op});
        return Val{Val::Reg, d, int_t(), false};
      }
      if (!is_int(v.type)) error(e.loc, fmt::format("invalid operand to '{}'", op));
      const Type* rt = common_type(v.type, v.type);
      Val x = convert(v, rt, e.loc);
      Operand d = temp_for(rt);
      emit(Insn{Op::Un, static_cast<uint8_t>(op == "-" ? vm::UnOp::Neg : vm::UnOp::Not), d, x.op});
      return Val{Val::Reg, d, rt, false};
    }
    case K::Binary:
      if (e.op == "&&" || e.op == "||") return logical(e);
      if (e.op == ",") {
        expr(*e.a);
        return rvalue(*e.b);
      }
      return binary(e.op, expr(*e.a), expr(*e.b), e.loc);
    case K::Assign:
      return assign(e);
    case K::Ternary:
      return ternary(e);
    case K::Call:
      return call(e);
    case K::Member:
      return member(e.arrow ? rvalue(*e.a) : expr(*e.a), e.name, e.arrow, e.loc);
    case K::Index: {
      Val base = rvalue(*e.a), idx = rvalue(*e.b);
      if (is_int(base.type) && is_ptr(idx.type)) std::swap(base, idx);
      return deref(binary("+", base, idx, e.loc), e.loc);
    }
    case K::Cast:
      return cast(env_.resolve(*e.type), rvalue(*e.a), e.loc);
    case K::SizeofExpr: {
      if (e.a->kind == K::Ident && !macro_args_.empty())  // sizeof(t) of a macro's type argument
        if (auto it = macro_args_.back().find(e.a->name);
            it != macro_args_.back().end() && it->second->kind == K::TypeName)
          return constant(env_.resolve(*it->second->type)->size, ulong_t());
      const Type* t = type_of(*e.a);
      return constant(t->size, ulong_t());
    }
    case K::SizeofType:
    case K::AlignofType:
    case K::Offsetof:
    case K::ConfigRef: {
      auto c = env_.try_const(e);
      if (!c) error(e.loc, "expected a constant expression");
      return constant(static_cast<uint64_t>(*c), e.kind == K::ConfigRef ? int_t() : ulong_t());
    }
    case K::ContainerOf: {
      const Type* t = env_.resolve(*e.type);
      std::string path = member_path(e.name);
      auto m = env_.member(t, path);
      if (!m) error(e.loc, fmt::format("{} has no member named '{}'", type_name(t), path));
      Val p = rvalue(*e.a);
      if (!is_ptr(p.type)) error(e.loc, "container_of of a non-pointer");
      Val r = m->offset ? binary("-", convert(p, ulong_t(), e.loc), constant(m->offset, ulong_t()), e.loc)
                        : p;
      return Val{Val::Reg, r.op, env_.pointer_to(t), false};
    }
    case K::InitList:
      error(e.loc, "initializer lists are only allowed in declarations");
    case K::TypeName:
      error(e.loc, "a type is only allowed as the argument of a macro's type parameter");
  }
  error(e.loc, "unsupported expression");
}

}  // namespace ptcheck::sema
