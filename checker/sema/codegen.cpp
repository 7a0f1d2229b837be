// Statements, frames and the per-function driver of the code generator.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "sema/liveness.h"

#include "sema/codegen_impl.h"

namespace ptcheck::sema {

using vm::Insn;
using vm::Op;
using vm::Operand;

CodeGen::CodeGen(TypeEnv& env, const Config& cfg, const SourceManager& sm, vm::Model& out, Symbols& syms)
    : env_(env), cfg_(cfg), sm_(sm), out_(out), syms_(syms) {}

void CodeGen::note_function(uint32_t id) {
  if (address_taken_.size() <= id) {
    address_taken_.resize(id + 1);
    callees_.resize(id + 1);
    indirect_.resize(id + 1);
  }
}

uint32_t CodeGen::intern_string(const std::string& s) {
  auto it = string_ids_.find(s);
  if (it != string_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(out_.strings.size());
  out_.strings.push_back(s);
  string_ids_[s] = id;
  return id;
}

void CodeGen::compile_function(uint32_t id, const ast::FuncDef& fd) {
  note_function(id);
  vm::Function& fn = out_.funcs[id];
  const Type* ret = env_.resolve(*fd.ret);
  FunctionCompiler fc(*this, fn, ret);
  fc.addr_taken_ = address_taken_names(*fd.body);
  fc.compile_params(fd.params);
  fc.compile_body(*fd.body);
  fc.finish();
}

uint32_t CodeGen::compile_block(const std::string& name, const ast::Stmt& body, SourceLoc loc) {
  uint32_t id = static_cast<uint32_t>(out_.funcs.size());
  out_.funcs.emplace_back();
  out_.funcs[id].name = name;
  out_.funcs[id].id = id;
  out_.funcs[id].loc = loc;
  out_.funcs[id].address = out_.text_base + (id + 1) * out_.func_stride;
  note_function(id);
  FunctionCompiler fc(*this, out_.funcs[id], env_.void_type());
  fc.addr_taken_ = address_taken_names(body);
  fc.compile_params({});
  fc.compile_body(body);
  fc.finish();
  return id;
}

// ---------------------------------------------------------------------------

FunctionCompiler::FunctionCompiler(CodeGen& cg, vm::Function& fn, const Type* ret_type)
    : cg_(cg), env_(cg.env_), fn_(fn), ret_type_(ret_type) {
  fn_.code.clear();
  fn_.has_body = true;
  if (ret_type_ && ret_type_->kind != TypeKind::Void) fn_.ret = op_for(ret_type_, 0);
  else fn_.ret = Operand{0, 0, false};
}

void FunctionCompiler::error(SourceLoc loc, const std::string& msg) const { cg_.sm_.error(loc, msg); }

vm::Operand FunctionCompiler::op_for(const Type* t, uint32_t off) const {
  bool sign = t && t->kind == TypeKind::Int && t->is_signed;
  return Operand{off, static_cast<uint32_t>(t ? t->size : 8), sign};
}

uint32_t FunctionCompiler::emit(const Insn& in) {
  fn_.code.push_back(in);
  fn_.code.back().loc = cur_loc_;
  return here() - 1;
}

uint16_t FunctionCompiler::string_index(SourceLoc loc, const std::string& s) {
  const uint32_t id = cg_.intern_string(s);
  if (id > vm::InsnOperand::kMaxOff)
    error(loc, fmt::format("more than {} distinct strings in the model (formats, BUG_ON texts, notes)",
                           vm::InsnOperand::kMaxOff + 1));
  return static_cast<uint16_t>(id);
}

vm::Operand FunctionCompiler::local_slot(uint32_t size, uint32_t align) {
  align = std::max<uint32_t>(align, 8);
  frame_ = (frame_ + align - 1) / align * align;
  Operand o{frame_, size, false};
  frame_ += std::max<uint32_t>((size + 7) / 8 * 8, 8);
  return o;
}

vm::Operand FunctionCompiler::object_slot(const Type* t, const std::string& name) {
  Operand o = local_slot(static_cast<uint32_t>(t->size), static_cast<uint32_t>(t->align));
  if (t->kind == TypeKind::Array || t->kind == TypeKind::Record || addr_taken_.count(name)) frame_ += kStackRedzone;
  return o;
}

vm::Operand FunctionCompiler::temp(uint32_t size, bool sign) {
  uint32_t off = temp_base_ + temp_used_;
  temp_used_ += std::max<uint32_t>((size + 7) / 8 * 8, 8);
  temp_max_ = std::max(temp_max_, temp_used_);
  return Operand{off, size, sign};
}

vm::Operand FunctionCompiler::temp_for(const Type* t) {
  Operand o = temp(static_cast<uint32_t>(t->size ? t->size : 8));
  o.sign = t->kind == TypeKind::Int && t->is_signed;
  return o;
}

uint32_t FunctionCompiler::location(SourceLoc begin, SourceLoc end) {
  cg_.out_.locs.push_back(vm::Location{begin, end, fn_.id});
  return static_cast<uint32_t>(cg_.out_.locs.size() - 1);
}

const FunctionCompiler::Local* FunctionCompiler::find_local(const std::string& name) const {
  for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s)
    for (auto l = s->rbegin(); l != s->rend(); ++l)
      if (l->name == name) return &*l;
  return nullptr;
}

void FunctionCompiler::compile_params(const std::vector<ast::Param>& params) {
  scopes_.emplace_back();
  fn_.params.clear();
  for (const auto& p : params) {
    const Type* t = env_.resolve(*p.type);
    if (t->kind == TypeKind::Array) t = env_.pointer_to(t->elem);
    if (t->kind == TypeKind::Void) error(p.loc, "parameter of type void");
    Operand o = object_slot(t, p.name);
    o = op_for(t, o.off);
    fn_.params.push_back(o);
    if (!p.name.empty()) scopes_.back().push_back(Local{p.name, t, o.off});
    frame_objects_.push_back({o.off, static_cast<uint32_t>(t->size), p.name.empty() ? "<unnamed>" : p.name});
  }
}

void FunctionCompiler::prescan(const ast::Stmt& s) {
  switch (s.kind) {
    case ast::Stmt::VarDecl: {
      const Type* t = env_.resolve(*s.type);
      if (t->kind == TypeKind::Void || t->kind == TypeKind::Function)
        error(s.loc, fmt::format("variable '{}' has type {}", s.name, type_name(t)));
      if (t->kind == TypeKind::Record && !t->complete)
        error(s.loc, fmt::format("variable '{}' has incomplete type {}", s.name, type_name(t)));
      if (t->size > vm::kKernelStackSize)  // also keeps frame offsets within 32 bits
        error(s.loc, fmt::format("local '{}' takes {} bytes: more than a {} KiB kernel stack", s.name, t->size,
                                 vm::kKernelStackSize / 1024));
      Operand o = object_slot(t, decl_name(s));
      set_decl_slot(s, Local{decl_name(s), t, o.off});
      break;
    }
    case ast::Stmt::ExprStmt:
      prescan_macro(s);  // a statement macro's locals
      return;
    case ast::Stmt::IfConfig:
      for (const auto& b : eval_cond(s.cond.get(), cg_.cfg_) ? s.body : s.else_body) prescan(*b);
      return;
    default:
      break;
  }
  if (s.init) prescan(*s.init);
  if (s.s1) prescan(*s.s1);
  if (s.s2) prescan(*s.s2);
  if (s.kind != ast::Stmt::IfConfig) {
    for (const auto& b : s.body) prescan(*b);
    for (const auto& b : s.else_body) prescan(*b);
  }
  for (const auto& c : s.cases)
    for (const auto& b : c.body) prescan(*b);
}

void FunctionCompiler::compile_body(const ast::Stmt& body) {
  prescan(body);
  temp_base_ = (frame_ + 7) / 8 * 8;
  cur_loc_ = location(body.loc, body.loc);
  stmt(body);
  // Falling off the end returns (0 for a non-void function, like a missing return).
  SourceLoc end = body.end.valid() ? body.end : body.loc;
  cur_loc_ = location(end, end);
  Insn r{};
  r.op = Op::Ret;
  if (fn_.ret.size) {
    Operand t = temp(fn_.ret.size);
    Insn c{};
    c.op = Op::Const;
    c.a = t;
    emit(c);
    r.b = t;
  } else {
    r.b = Operand{0, 0, false};
  }
  emit(r);
}

void FunctionCompiler::finish() {
  // Every operand of the code lies in the frame: within kMaxFrame, it fits
  // an instruction's operand (vm::InsnOperand). A kernel stack (16 KiB)
  // holds no bigger frame anyway.
  if (const uint32_t bytes = temp_base_ + temp_max_; bytes > vm::kMaxFrame)
    error(fn_.loc, fmt::format("function '{}' needs a {}-byte frame: more than ptcheck's instructions address "
                               "({} bytes; a kernel stack is {} KiB)",
                               fn_.name, bytes, vm::kMaxFrame, vm::kKernelStackSize / 1024));
  for (auto& [idx, g] : gotos_) {
    auto it = labels_.find(g->name);
    if (it == labels_.end()) error(g->loc, fmt::format("label '{}' used but not defined", g->name));
    patch(idx, it->second);
    fn_.gotos.emplace_back(g->name, idx);
  }
  fn_.labels.assign(labels_.begin(), labels_.end());
  for (uint32_t at : clear_sites_) {
    fn_.code[at].imm = temp_base_;
    fn_.code[at].aux = temp_max_;
  }
  if (temp_max_ == 0)
    for (uint32_t at : clear_sites_) fn_.code[at].op = Op::Nop;
  fn_.frame_size = (temp_base_ + temp_max_ + 7) / 8 * 8;
  // Local slots never overlap (local_slot() only grows the frame): sorted by
  // offset, each access through a pointer finds its object by one search.
  std::sort(frame_objects_.begin(), frame_objects_.end(),
            [](const auto& a, const auto& b) { return a.off < b.off; });
  fn_.frame_objects = std::move(frame_objects_);
  // Developer switch for measuring what dead-value zeroing saves.
  static const bool keep_dead = std::getenv("PTCHECK_KEEP_DEAD") != nullptr;
  std::vector<std::pair<uint32_t, uint32_t>> locals;
  for (const auto& p : fn_.params) locals.emplace_back(p.off, std::max<uint32_t>(p.size, 1));
  for (const auto& [stmt, l] : decl_slots_)
    locals.emplace_back(l.off, static_cast<uint32_t>(std::max<uint64_t>(l.type->size, 1)));
  // A statement's clear of the temporaries is needed for the states only
  // where the context comes to rest, and there the dead-value zeroing below
  // clears every temporary no later instruction reads. So where that zeroing
  // applies, the clears go, unless some path would read a temporary before
  // writing it (then the clear gives it its value, 0, and stays): a fifth of
  // the instructions a kernel mix ran were these clears (mainline_table_mix),
  // each a call of memset. The states, and so the counts, do not change.
  if (!keep_dead && temp_max_ != 0 && !clear_sites_.empty() && zeroes_dead_values(fn_, locals)) {
    for (uint32_t at : clear_sites_) fn_.code[at].op = Op::Nop;
    if (live_at_any(fn_, clear_sites_, temp_base_, temp_base_ + temp_max_, cg_.out_))
      for (uint32_t at : clear_sites_) fn_.code[at].op = Op::ClearTemps;
  }
  drop_nops(fn_);
  if (!keep_dead) compute_dead_ranges(fn_, locals, cg_.out_);
}

void FunctionCompiler::block(const std::vector<ast::StmtPtr>& body) {
  scopes_.emplace_back();
  for (const auto& s : body) stmt(*s);
  scopes_.pop_back();
}

void FunctionCompiler::var_decl(const ast::Stmt& s) {
  const Local* slot = find_decl_slot(s);
  if (!slot) error(s.loc, "internal error: local not allocated");
  Local l = *slot;
  scopes_.back().push_back(l);
  // A declaration re-executed in a loop starts from zero, not from the last
  // iteration's value: clear it so states do not remember dead values.
  Insn clr{Op::ClearTemps};
  clr.imm = l.off;
  clr.aux = static_cast<uint32_t>((l.type->size + 7) / 8 * 8);
  emit(clr);
  Val v{Val::Reg, op_for(l.type, l.off), l.type, true};
  if (!s.e) return;
  if (s.e->kind == ast::Expr::InitList) {
    init_object(v, *s.e);
    return;
  }
  if (l.type->kind == TypeKind::Array) error(s.e->loc, "array locals take an initializer list");
  assign_to(v, rvalue(*s.e), s.e->loc);
}

void FunctionCompiler::init_object(const Val& dst, const ast::Expr& init) {
  if (init.kind != ast::Expr::InitList) {
    assign_to(dst, rvalue(init), init.loc);
    return;
  }
  const Type* t = dst.type;
  uint64_t next_index = 0;
  size_t next_field = 0;
  for (const auto& it : init.inits) {
    Val target;
    if (it.designator.empty()) {
      if (t->kind == TypeKind::Array) {
        Val base = to_rvalue(dst, init.loc);  // decays to a pointer to the first element
        Val idx = constant(next_index++, ulong_t());
        target = deref(binary("+", base, idx, init.loc), init.loc);
      } else if (t->kind == TypeKind::Record) {
        while (next_field < t->fields.size() && t->fields[next_field].name.empty()) ++next_field;
        if (next_field >= t->fields.size()) error(it.value->loc, "too many initializers");
        target = member(dst, t->fields[next_field++].name, false, it.value->loc);
      } else {
        target = dst;
      }
    } else {
      // ".a.b[2]" style designators: walk them left to right.
      target = dst;
      const std::string& d = it.designator;
      size_t i = 0;
      while (i < d.size()) {
        if (d[i] == '.') {
          size_t j = i + 1;
          while (j < d.size() && d[j] != '.' && d[j] != '[') ++j;
          target = member(target, d.substr(i + 1, j - i - 1), false, it.value->loc);
          i = j;
        } else if (d[i] == '[') {
          size_t j = d.find(']', i);
          if (j == std::string::npos) error(it.value->loc, "bad designator");
          uint64_t n = std::stoull(d.substr(i + 1, j - i - 1), nullptr, 0);
          if (target.type->kind != TypeKind::Array) error(it.value->loc, "[index] designator on a non-array");
          Val base = to_rvalue(target, it.value->loc);
          target = deref(binary("+", base, constant(n, ulong_t()), it.value->loc), it.value->loc);
          i = j + 1;
        } else {
          error(it.value->loc, "bad designator");
        }
      }
    }
    init_object(target, *it.value);
  }
}

void FunctionCompiler::return_stmt(const ast::Stmt& s) {
  if (atomic_depth_) error(s.loc, "return inside an atomic section");
  Insn r{};
  r.op = Op::Ret;
  if (s.e) {
    if (!fn_.ret.size) {
      rvalue(*s.e);  // `return f();` in a void function: evaluate, return nothing
      r.b = Operand{0, 0, false};
    } else {
      Val v = convert(rvalue(*s.e), ret_type_, s.e->loc);
      r.b = v.op;
    }
  } else {
    if (fn_.ret.size) error(s.loc, "non-void function must return a value");
    r.b = Operand{0, 0, false};
  }
  emit(r);
}

void FunctionCompiler::switch_stmt(const ast::Stmt& s) {
  Val v = convert(rvalue(*s.e), long_t(), s.e->loc);
  std::vector<uint32_t> case_jumps;
  int64_t default_idx = -1;
  for (size_t i = 0; i < s.cases.size(); ++i) {
    if (!s.cases[i].value) {
      default_idx = static_cast<int64_t>(i);
      case_jumps.push_back(0);
      continue;
    }
    auto cv = env_.try_const(*s.cases[i].value);
    if (!cv) error(s.cases[i].loc, "case label is not an integer constant expression");
    Operand t = temp(8);
    Operand k = temp(8);
    emit(Insn{Op::Const, 0, k, {}, {}, *cv});
    emit(Insn{Op::Bin, static_cast<uint8_t>(vm::BinOp::Eq), t, v.op, k});
    case_jumps.push_back(emit(Insn{Op::Jnz, 0, t}));
  }
  uint32_t to_default = emit(Insn{Op::Jmp});
  loops_.push_back(Loop{{}, {}, true, atomic_depth_});
  for (size_t i = 0; i < s.cases.size(); ++i) {
    if (s.cases[i].value) patch(case_jumps[i], here());
    if (static_cast<int64_t>(i) == default_idx) patch(to_default, here());
    scopes_.emplace_back();
    for (const auto& b : s.cases[i].body) stmt(*b);
    scopes_.pop_back();
  }
  if (default_idx < 0) patch(to_default, here());
  for (uint32_t b : loops_.back().breaks) patch(b, here());
  loops_.pop_back();
}

void FunctionCompiler::stmt(const ast::Stmt& s) {
  using K = ast::Stmt;
  auto start = [&](SourceLoc end) {
    cur_loc_ = location(s.loc, end);
    temp_used_ = 0;
    clear_sites_.push_back(emit(Insn{Op::ClearTemps}));
  };
  switch (s.kind) {
    case K::Block:
      block(s.body);
      return;
    case K::Empty:
      return;
    case K::ExprStmt:
      if (expand_stmt_macro(s)) return;  // NAME(args); of a statement macro
      start(s.end);
      expr(*s.e);
      return;
    case K::VarDecl:
      start(s.end);
      var_decl(s);
      return;
    case K::If: {
      start(s.e->end);
      Operand c = cond(*s.e);
      uint32_t jf = emit(Insn{Op::Jz, 0, c});
      stmt(*s.s1);
      if (s.s2) {
        uint32_t jend = emit(Insn{Op::Jmp});
        patch(jf, here());
        stmt(*s.s2);
        patch(jend, here());
      } else {
        patch(jf, here());
      }
      return;
    }
    case K::While: {
      uint32_t top = here();
      start(s.e->end);
      Operand c = cond(*s.e);
      uint32_t jf = emit(Insn{Op::Jz, 0, c});
      loops_.push_back(Loop{{}, {}, false, atomic_depth_});
      stmt(*s.s1);
      emit(Insn{Op::Jmp, 0, {}, {}, {}, top});
      patch(jf, here());
      for (uint32_t b : loops_.back().breaks) patch(b, here());
      for (uint32_t c2 : loops_.back().continues) patch(c2, top);
      loops_.pop_back();
      return;
    }
    case K::DoWhile: {
      uint32_t top = here();
      loops_.push_back(Loop{{}, {}, false, atomic_depth_});
      stmt(*s.s1);
      uint32_t cont = here();
      cur_loc_ = location(s.e->loc, s.e->end);
      temp_used_ = 0;
      Operand c = cond(*s.e);
      emit(Insn{Op::Jnz, 0, c, {}, {}, top});
      for (uint32_t b : loops_.back().breaks) patch(b, here());
      for (uint32_t c2 : loops_.back().continues) patch(c2, cont);
      loops_.pop_back();
      return;
    }
    case K::For: {
      scopes_.emplace_back();
      if (s.init) stmt(*s.init);
      uint32_t top = here();
      uint32_t jf = UINT32_MAX;
      if (s.e) {
        cur_loc_ = location(s.e->loc, s.e->end);
        temp_used_ = 0;
        clear_sites_.push_back(emit(Insn{Op::ClearTemps}));
        jf = emit(Insn{Op::Jz, 0, cond(*s.e)});
      }
      loops_.push_back(Loop{{}, {}, false, atomic_depth_});
      stmt(*s.s1);
      uint32_t cont = here();
      if (s.step) {
        cur_loc_ = location(s.step->loc, s.step->end);
        temp_used_ = 0;
        clear_sites_.push_back(emit(Insn{Op::ClearTemps}));
        expr(*s.step);
      }
      emit(Insn{Op::Jmp, 0, {}, {}, {}, top});
      if (jf != UINT32_MAX) patch(jf, here());
      for (uint32_t b : loops_.back().breaks) patch(b, here());
      for (uint32_t c2 : loops_.back().continues) patch(c2, cont);
      loops_.pop_back();
      scopes_.pop_back();
      return;
    }
    case K::Return:
      start(s.end);
      return_stmt(s);
      return;
    case K::Break:
    case K::Continue: {
      int i = static_cast<int>(loops_.size()) - 1;
      if (s.kind == K::Continue)
        while (i >= 0 && loops_[i].is_switch) --i;
      if (i < 0) error(s.loc, s.kind == K::Break ? "break outside a loop or switch" : "continue outside a loop");
      if (loops_[i].atomic_depth != atomic_depth_) error(s.loc, "jump out of an atomic section");
      cur_loc_ = location(s.loc, s.end);
      uint32_t j = emit(Insn{Op::Jmp});
      (s.kind == K::Break ? loops_[i].breaks : loops_[i].continues).push_back(j);
      return;
    }
    case K::Goto:
      if (atomic_depth_) error(s.loc, "goto inside an atomic section");
      cur_loc_ = location(s.loc, s.end);
      gotos_.emplace_back(emit(Insn{Op::Jmp}), &s);
      return;
    case K::Label:
      if (labels_.count(s.name)) error(s.loc, fmt::format("label '{}' defined twice", s.name));
      labels_[s.name] = here();
      if (s.s1) stmt(*s.s1);
      return;
    case K::Switch:
      start(s.e->end);
      switch_stmt(s);
      return;
    case K::Atomic:
      cur_loc_ = location(s.loc, s.loc);
      emit(Insn{Op::AtomicBegin});
      ++atomic_depth_;
      block(s.body);
      --atomic_depth_;
      emit(Insn{Op::AtomicEnd});
      return;
    case K::IfConfig:
      // #if is no scope: a declaration under it is visible after #endif.
      for (const auto& b : eval_cond(s.cond.get(), cg_.cfg_) ? s.body : s.else_body) stmt(*b);
      return;
  }
}

}  // namespace ptcheck::sema
