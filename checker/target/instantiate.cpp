// Instantiation of a target on an arch (instantiate.h): config, program files,
// code, heap and globals at their addresses, stacks and the state layout.
#include "target/instantiate.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sema/codegen.h"
#include "support/assert.h"
#include "target/kconfig_check.h"
#include "target/program_parts.h"
#include "vm/builtins.h"

namespace ptcheck {

using vm::Region;
using vm::RegionKind;

namespace {

using sema::rules::align_up;  // sema/layout_rules.h: the one rounding rule

// The redzone KASAN's compiler instrumentation puts after a global of `size`
// bytes (LLVM AddressSanitizer getRedzoneSizeForGlobal(), as used for
// CONFIG_KASAN_GENERIC: at least 32 bytes, object + redzone a multiple of
// 32). Kept inside the global's region (stride = size + redzone, obj_size =
// size), so an access past the end is KASAN's global-out-of-bounds, never a
// write into the next global or a page fault.
uint64_t kasan_global_redzone(uint64_t size) {
  constexpr uint64_t kMinRz = 32, kMaxRz = 1 << 18;
  if (size <= kMinRz / 2) return kMinRz - size;
  uint64_t rz = std::clamp<uint64_t>(size / kMinRz / 4 * kMinRz, kMinRz, kMaxRz);
  if (size % kMinRz) rz += kMinRz - size % kMinRz;
  return rz;
}

}  // namespace

std::pair<std::string, bool> parse_set(const std::string& text) {
  auto eq = text.find('=');
  std::string sym = text.substr(0, eq);
  std::string val = eq == std::string::npos ? "" : text.substr(eq + 1);
  bool ok_sym = !sym.empty() && std::all_of(sym.begin(), sym.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  if (!ok_sym || (val != "y" && val != "n"))
    throw InputError(fmt::format("--set: error: expected CONFIG_NAME=y or CONFIG_NAME=n, found '{}'", text));
  return {sym, val == "y"};
}

std::vector<std::string> target_arches(const TargetEntry& t, const std::string& default_arch) {
  if (t.def->arches.empty()) return {default_arch};
  return t.def->arches;
}

std::unique_ptr<Instance> instantiate(Project& project, const TargetEntry& target, const std::string& arch_name,
                                      const std::vector<std::pair<std::string, bool>>& cli_sets) {
  std::vector<std::pair<std::string, int64_t>> mine;
  auto params = target_params(*target.def, project.sources());
  for (const auto& b : project.bounds())
    for (const auto& p : params)
      if (p.first == b.first) mine.push_back(b);
  return instantiate(project, target, arch_name, cli_sets, mine);
}

std::unique_ptr<Instance> instantiate(Project& project, const TargetEntry& target, const std::string& arch_name,
                                      const std::vector<std::pair<std::string, bool>>& cli_sets,
                                      const std::vector<std::pair<std::string, int64_t>>& bounds) {
  SourceManager& sm = project.sources();
  const ast::TargetDef& td = *target.def;
  auto inst = std::make_unique<Instance>();
  inst->code = desugar_target(td, bounds, sm);
  const TargetCode& code = inst->code;
  inst->target = &target;
  inst->arch = std::make_unique<ArchInfo>(load_arch(project.root(), arch_name));
  const ArchInfo& arch = *inst->arch;
  for (const auto& [k, v] : arch.kconfig) inst->cfg.set(k, v);
  for (const auto& s : td.sets) inst->overrides.push_back(s);
  for (const auto& s : cli_sets) inst->overrides.push_back(s);
  for (const auto& [k, v] : inst->overrides) inst->cfg.set(k, v);
  check_target_config(project, &td, arch, inst->cfg, cli_sets);

  if (td.expect) {
    inst->expected.violation = td.expect->violation;
    if (td.expect->violation) {
      auto k = vm::kind_from_name(td.expect->kind);
      if (!k) {
        std::string names;
        for (auto n : vm::all_kind_names()) names += fmt::format("{}{}", names.empty() ? "" : ", ", n);
        sm.error(td.expect->loc, fmt::format("unknown error kind '{}' (expected one of: {})", td.expect->kind, names));
      }
      inst->expected.kind = *k;
    }
  } else {
    sm.error(td.loc, fmt::format("target '{}' has no `expect pass;` or `expect violation KIND;`", td.name));
  }

  // The arch's headers load into every program, as <asm/...> headers do;
  // its other files mirror arch .c files and are imported by the targets that
  // exercise them.
  inst->files = project.program_files(target, arch.header_files, &inst->cfg);
  inst->env = std::make_unique<sema::TypeEnv>(arch, inst->cfg, sm);
  sema::TypeEnv& env = *inst->env;
  for (const auto& f : inst->files) env.add_unit(project.unit(f));

  vm::Model& m = inst->model;
  m.sm = &sm;
  m.word_size = arch.abi.word_size;
  m.text_base = arch.map.text_base;
  m.func_stride = std::max<uint64_t>(64, arch.function_align);
  m.page_size = arch.map.page_size;
  m.pfn_base = arch.map.pfn_base;
  m.vmemmap_base = arch.map.vmemmap_base;
  m.direct_map_base = arch.map.direct_map_base;
  m.debug_vm = inst->cfg.enabled("CONFIG_DEBUG_VM");
  m.warn_only = td.warn_only;
  {
    ast::Expr gz;
    gz.kind = ast::Expr::Ident;
    gz.name = "__GFP_ZERO";
    if (auto v = env.try_const(gz)) m.gfp_zero = static_cast<uint64_t>(*v);
  }

  // ---- functions: one id per name; a definition completes its prototype.
  sema::Symbols syms;
  std::vector<const ast::FuncDef*> bodies;
  std::vector<const ast::GlobalVar*> vars;
  for (const ast::Decl* d : env.code_decls()) {
    if (d->kind == ast::Decl::Var) vars.push_back(d->var.get());
    if (d->kind != ast::Decl::Func) continue;
    const ast::FuncDef& fd = *d->func;
    auto it = syms.funcs.find(fd.name);
    if (it == syms.funcs.end()) {
      uint32_t id = static_cast<uint32_t>(m.funcs.size());
      vm::Function fn;
      fn.name = fd.name;
      fn.id = id;
      fn.loc = fd.loc;
      fn.address = m.text_base + (id + 1) * m.func_stride;
      m.funcs.push_back(std::move(fn));
      syms.funcs[fd.name] = id;
      syms.defs[id] = &fd;
    } else if (fd.body) {
      const ast::FuncDef* prev = syms.defs[it->second];
      if (prev->body)
        sm.error(fd.loc, fmt::format("redefinition of '{}' (first defined at {})", fd.name, sm.where(prev->loc)));
      syms.defs[it->second] = &fd;
      m.funcs[it->second].loc = fd.loc;
    }
  }

  // ---- heap regions at the arch's synthetic addresses.
  std::vector<Region> regions;
  const ast::HeapDecl* heap = td.heap ? &*td.heap : nullptr;
  // A heap count may name a target parameter (its value after --bound).
  auto count = [&](uint64_t literal, const std::string& param, SourceLoc loc, const char* what) -> uint64_t {
    if (param.empty()) return literal;
    for (const auto& [name, v] : code.params)
      if (name == param) {
        if (v < 0) sm.error(loc, fmt::format("{} is parameter '{}' = {}: expected 0 or more", what, param, v));
        return uint64_t(v);
      }
    std::string known;
    for (const auto& [name, v] : code.params) known += (known.empty() ? "" : ", ") + name;
    sm.error(loc, fmt::format("{}: '{}' is not a parameter of target '{}' ({})", what, param, td.name,
                              known.empty() ? "it has none: declare it with `set " + param + " = N;`"
                                            : "its parameters: " + known));
  };
  uint64_t pages = heap && heap->pages ? count(*heap->pages, heap->pages_param, heap->loc, "the heap's page count") : 0;
  if (pages > 4096) sm.error(heap->loc, "at most 4096 pages");
  const sema::Type* page_t = env.record("page");
  uint64_t page_struct = page_t && page_t->complete ? page_t->size : arch.map.page_struct_size;
  m.struct_page_size = page_struct;
  if (pages) {
    Region r;
    r.kind = RegionKind::Pages;
    r.name = "page";
    r.base = arch.map.vmemmap_base + arch.map.pfn_base * page_struct;
    r.stride = r.obj_size = page_struct;
    r.count = pages;
    r.type = page_t;
    r.overlay = env.record("ptdesc");
    regions.push_back(r);
    Region d;
    d.kind = RegionKind::PageData;
    d.name = "data";
    d.base = arch.map.direct_map_base + arch.map.pfn_base * arch.map.page_size;
    d.stride = arch.map.page_size;
    d.obj_size = heap->page_bytes ? count(*heap->page_bytes, heap->page_bytes_param, heap->loc, "the heap's page_bytes") : 64;
    if (d.obj_size > arch.map.page_size) sm.error(heap->loc, "page_bytes is larger than a page");
    d.count = pages;
    d.shadow_off = 0;
    regions.push_back(d);
  }
  const sema::Type* cache_t = env.pointer_to(env.record("kmem_cache") ? env.record("kmem_cache") : env.void_type());
  uint64_t slab_addr = arch.map.slab_base;
  if (heap) {
    for (const auto& s : heap->slabs) {
      const uint64_t objects = count(s.count, s.count_param, s.loc, "the slab's object count");
      if (objects == 0 || objects > 4096) sm.error(s.loc, "a slab holds 1 to 4096 objects");
      const sema::Type* t = env.resolve_complete(*s.type);
      Region r;
      r.kind = RegionKind::Slab;
      r.name = s.name;
      r.type = t;
      r.obj_size = t->size;
      // SLUB aligns objects to at least the word size (ARCH_SLAB_MINALIGN).
      r.stride = align_up(std::max<uint64_t>(t->size, 1), std::max<uint64_t>(t->align, arch.abi.word_size));
      r.count = objects;
      r.base = slab_addr;
      r.shadow_off = 0;
      slab_addr = align_up(slab_addr + r.stride * r.count + 1, 0x10000);
      if (syms.globals.count(s.name) || syms.funcs.count(s.name))
        sm.error(s.loc, fmt::format("slab name '{}' is already used", s.name));
      syms.globals[s.name] = sema::Symbols::Global{r.base, cache_t, true};
      regions.push_back(r);
    }
  }

  // ---- globals in the kernel's data section.
  uint64_t data = arch.map.data_base;
  std::vector<std::pair<const ast::GlobalVar*, size_t>> global_regions;
  for (const ast::GlobalVar* v : vars) {
    auto it = syms.globals.find(v->name);
    const sema::Type* t = env.resolve_complete(*v->type);
    if (it != syms.globals.end()) {
      if (it->second.is_value || it->second.type->size != t->size)
        sm.error(v->loc, fmt::format("conflicting declaration of '{}'", v->name));
      if (v->init)
        for (auto& gr : global_regions)
          if (gr.first->name == v->name) {
            if (gr.first->init) sm.error(v->loc, fmt::format("redefinition of '{}'", v->name));
            gr.first = v;
          }
      continue;
    }
    if (syms.funcs.count(v->name)) sm.error(v->loc, fmt::format("'{}' is already a function", v->name));
    data = align_up(data, std::max<uint64_t>(t->align, 64));
    Region r;
    r.kind = RegionKind::Global;
    r.name = v->name;
    r.type = t;
    r.base = data;
    r.obj_size = t->size;
    r.stride = t->size + kasan_global_redzone(t->size);
    r.count = 1;
    data += r.stride;
    syms.globals[v->name] = sema::Symbols::Global{r.base, t, false};
    global_regions.emplace_back(v, regions.size());
    regions.push_back(r);
  }

  // ---- code: model functions, then init and the thread bodies.
  // Only what the target can reach is compiled: functions named (called or
  // taken by address) from its init, threads, invariants and global
  // initializers, transitively, through macro bodies too. A function that uses
  // a slab cache this target's heap lacks is then no error unless reachable.
  std::set<std::string> reach;
  {
    std::set<std::string> refs;
    if (code.init) idents(code.init.get(), refs);
    for (const auto& th : code.threads) idents(th.body.get(), refs);
    for (const auto& [name, loc] : td.invariants) refs.insert(name);
    for (const auto& [name, loc] : td.eventually) refs.insert(name);
    for (const ast::GlobalVar* v : vars) idents(v->init.get(), refs);
    // One worklist of names: a function's body and a macro's body both name
    // more (iterative: macro chains can be long).
    std::set<std::string> macros_seen;
    std::vector<std::string> names(refs.begin(), refs.end());
    while (!names.empty()) {
      std::string n = std::move(names.back());
      names.pop_back();
      std::set<std::string> inner;
      if (syms.funcs.count(n)) {
        if (!reach.insert(n).second) continue;
        idents(syms.defs[syms.funcs[n]]->body.get(), inner);
      } else if (const ast::MacroDef* md = env.macro(n); md && macros_seen.insert(n).second) {
        idents(md->body.get(), inner);
        idents(md->stmt_body.get(), inner);
      }
      names.insert(names.end(), inner.begin(), inner.end());
    }
  }
  sema::CodeGen cg(env, inst->cfg, sm, m, syms);
  for (auto& [id, def] : syms.defs)
    if (def->body && reach.count(def->name)) cg.compile_function(id, *def);
  if (code.init) m.init_func = cg.compile_block("init", *code.init, code.init->loc);
  std::set<std::string> thread_names;
  for (const auto& th : code.threads) {
    if (!thread_names.insert(th.name).second || th.name == "rcu" || th.name == "invariant")
      sm.error(th.loc, fmt::format("thread name '{}' is already used", th.name));
    vm::ThreadSpec spec;
    spec.name = th.name;
    spec.entry = cg.compile_block(th.name, *th.body, th.loc);
    m.threads.push_back(spec);
  }
  // Invariants and liveness properties: predicates the invariant context
  // evaluates on a state.
  auto predicate = [&](const std::string& what, const std::string& name, SourceLoc loc) {
    auto it = syms.funcs.find(name);
    if (it == syms.funcs.end() || !syms.defs[it->second]->body)
      sm.error(loc, fmt::format("{} '{}' is not a defined function", what, name));
    if (!m.funcs[it->second].has_body) cg.compile_function(it->second, *syms.defs[it->second]);
    const ast::FuncDef& fd = *syms.defs[it->second];
    if (!fd.params.empty()) sm.error(loc, fmt::format("{} '{}' must take no parameters", what, name));
    if (!m.funcs[it->second].ret.size) sm.error(loc, fmt::format("{} '{}' must return a truth value", what, name));
    return it->second;
  };
  for (const auto& [name, loc] : td.invariants) m.invariants.emplace_back(name, predicate("invariant", name, loc));
  std::set<std::string> progress_names;
  for (const auto& [name, loc] : td.eventually) {
    if (!progress_names.insert(name).second)
      sm.error(loc, fmt::format("liveness property '{}' is named twice in always_eventually", name));
    m.progress.emplace_back(name, predicate("liveness property", name, loc));
  }
  if (m.progress.size() > 64)
    sm.error(td.eventually[64].second, "at most 64 liveness properties (always_eventually) per target");

  // ---- stacks: each context gets exactly the deepest call chain it can reach.
  std::vector<uint64_t> depth = stack_depths(m, cg, sm);
  uint64_t callback_depth = 0;
  {
    auto taken = cg.address_taken();
    taken.resize(m.funcs.size());
    for (size_t f = 0; f < m.funcs.size(); ++f)
      if (taken[f]) callback_depth = std::max(callback_depth, depth[f]);
  }
  uint64_t inv_depth = 0;
  for (const auto& iv : m.invariants) inv_depth = std::max(inv_depth, depth[iv.second]);
  for (const auto& pv : m.progress) inv_depth = std::max(inv_depth, depth[pv.second]);
  m.stack_of_context.assign(m.contexts() + 1, 0);
  for (uint32_t c = 0; c < m.contexts() + 1; ++c) {
    uint64_t need = c < m.threads.size() ? depth[m.threads[c].entry]
                  : c == m.rcu_context() ? callback_depth : inv_depth;
    if (c == 0 && m.init_func != UINT32_MAX) need = std::max(need, depth[m.init_func]);
    Region r;
    r.kind = RegionKind::Stack;
    r.name = "stack:" + m.context_name(c);
    r.thread = c;
    // THREAD_SIZE-spaced kernel stacks; only the used part is kept in the state.
    r.base = arch.map.stack_base + uint64_t{c} * vm::kKernelStackSize;
    r.obj_size = align_up(std::max<uint64_t>(need, 8), 8);
    if (r.obj_size > vm::kKernelStackSize)
      sm.error(c < code.threads.size() ? code.threads[c].loc : td.loc,
               fmt::format("{} needs {} bytes of kernel stack, more than {} KiB: its deepest call chain is too deep "
                           "or its frames too large", c < code.threads.size() ? "thread '" + code.threads[c].name + "'"
                           : c == m.rcu_context() ? std::string("the RCU callback context") : std::string("invariant checking"),
                           r.obj_size, vm::kKernelStackSize / 1024));
    r.stride = vm::kKernelStackSize;
    r.count = 1;
    regions.push_back(r);
  }

  // ---- the state vector: contexts, RCU queue, region bytes, shadows.
  // The RCU callback queue costs 16 bytes a slot in every state (nothing in
  // the tree store while it is empty): none when the program never calls
  // call_rcu(), else two pending callbacks per thread plus one per heap page
  // and slab object, each of which can hold an rcu_head of its own. With two
  // a thread only, file_mix at --bound ops=3 stopped at a model limit when
  // exit_mmap() freed five tables one by one (tlb_remove_table_one(): the
  // batch page could not be allocated) before a grace period.
  bool uses_call_rcu = false;
  for (const auto& f : m.funcs)
    for (const auto& in : f.code)
      uses_call_rcu = uses_call_rcu || (in.op == vm::Op::Builtin && in.imm == static_cast<int64_t>(vm::Builtin::CallRcu));
  uint64_t rcu_heads = pages;
  for (const Region& r : regions)
    if (r.kind == RegionKind::Slab) rcu_heads += r.count;
  m.rcu_capacity = uses_call_rcu ? static_cast<uint32_t>(std::max<uint64_t>(2, 2 * m.threads.size() + rcu_heads)) : 0;
  uint32_t off = 0;
  m.threads_off = off;
  off += m.contexts() * sizeof(vm::ThreadState);
  m.rcu_off = off;
  off += m.rcu_capacity * sizeof(vm::RcuCallback);
  Region* inv_stack = nullptr;
  for (Region& r : regions) {
    if (r.kind == RegionKind::Stack && r.thread == m.invariant_context()) {
      inv_stack = &r;
      continue;
    }
    r.state_off = off;
    off = static_cast<uint32_t>(align_up(off + r.obj_size * r.count, 8));
  }
  for (Region& r : regions)
    if (r.shadow_off >= 0) {
      r.shadow_off = static_cast<int32_t>(off);
      off += static_cast<uint32_t>(r.count);
    }
  // A weak memory model's own state (store buffers) comes last: under sc it
  // is empty, and the layout is the one sc always had.
  if (td.memory_model) m.memory_model = *vm::parse_memory_model(td.memory_model->first);
  if (project.memory_model()) m.memory_model = *project.memory_model();
  off = static_cast<uint32_t>(align_up(off, 8));
  m.mm_off = off;
  m.mm_bytes = vm::memory_model_state_bytes(m.memory_model, m.contexts());
  off += m.mm_bytes;
  m.state_size = static_cast<uint32_t>(align_up(off, 8));
  if (m.state_size > (64u << 20)) sm.error(td.loc, "the state vector would exceed 64 MiB: reduce the heap");
  m.inv_ts_off = m.state_size;
  // Every context, the invariant one included, got a stack region above.
  PT_ASSERT(inv_stack != nullptr, "the invariant context has a stack region");
  inv_stack->state_off = m.state_size + static_cast<uint32_t>(sizeof(vm::ThreadState));
  m.work_size = static_cast<uint32_t>(align_up(inv_stack->state_off + inv_stack->obj_size, 8));

  // Initial values of globals, then sort regions by address for lookup.
  std::vector<uint8_t> image(m.state_size, 0);
  for (const auto& [v, ri] : global_regions)
    if (v->init) {
      std::vector<uint8_t> bytes(regions[ri].obj_size, 0);
      write_static_init(env, syms, m, sm, bytes, 0, regions[ri].type, *v->init);
      std::copy(bytes.begin(), bytes.end(), image.begin() + regions[ri].state_off);
    }
  m.initial_image = std::move(image);
  std::vector<size_t> order(regions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return regions[a].base < regions[b].base; });
  for (size_t i = 0; i < order.size(); ++i) {
    const Region& r = regions[order[i]];
    if (i && r.base < m.regions.back().end())
      sm.error(td.loc, fmt::format("the heap overlaps itself at {:#x} ({} and {}): check the arch's address map",
                                   r.base, m.regions.back().name, r.name));
    m.regions.push_back(r);
  }
  for (uint32_t i = 0; i < m.regions.size(); ++i) {
    const Region& r = m.regions[i];
    if (r.kind == RegionKind::Pages) m.pages_region = i;
    if (r.kind == RegionKind::PageData) m.page_data_region = i;
    if (r.kind == RegionKind::Stack) m.stack_of_context[r.thread] = i;
  }
  for (const auto& [name, loc] : td.leak_checks) {
    bool found = false;
    for (uint32_t i = 0; i < m.regions.size(); ++i) {
      const Region& r = m.regions[i];
      if ((name == "pages" && r.kind == RegionKind::PageData) || (r.kind == RegionKind::Slab && r.name == name)) {
        m.leak_regions.push_back(i);
        found = true;
      }
    }
    if (!found) sm.error(loc, fmt::format("leak_check: '{}' is neither a slab cache of the heap nor 'pages'", name));
  }
  m.type_regions.assign(cg.type_region_lists().size(), {});
  for (const auto& [t, list] : cg.type_region_lists())
    for (uint32_t i = 0; i < m.regions.size(); ++i)
      if (m.regions[i].type == t && m.regions[i].kind != RegionKind::Stack) m.type_regions[list].push_back(i);
  inst->reach = resolve_reach(td.reach, m, sm, project.lenient_reach());
  // What a run without --coverage records for them (vm/coverage.h).
  for (const ReachPoint& p : inst->reach)
    for (const auto& [f, pc] : p.at) m.funcs[f].code[pc].watch = 1;
  return inst;
}

}  // namespace ptcheck
