// Queries and answers as text: the canonical query text (cache keys,
// display), value sets, configs and member ranges for reports.
#include <fmt/format.h>

#include "z3/engine.h"
#include "z3/query.h"

namespace ptcheck::z3 {

namespace {
std::string value_text(const ValueSpec& v) {
  std::string s;
  switch (v.kind) {
    case ValueSpec::Const: s = fmt::format("{:#x}", v.n); break;
    case ValueSpec::Named: s = v.name; break;
    case ValueSpec::FunctionAddress: s = v.n ? fmt::format("function_address({})", v.n) : "function_address"; break;
    case ValueSpec::SlabObject: s = fmt::format("slab_object({})", v.n); break;
    case ValueSpec::Any: s = "any"; break;
  }
  for (const auto& [op, k] : v.ops) s += fmt::format(" {} {:#x}", op, k);
  return s;
}

}  // namespace

std::string to_string(const QNode& q) {
  auto k = [&](size_t i) { return to_string(*q.kids[i]); };
  switch (q.kind) {
    case QNode::True: return "true";
    case QNode::False: return "false";
    case QNode::Sym: return q.name;
    case QNode::Not: return "!" + k(0);
    case QNode::And: return "(" + k(0) + " && " + k(1) + ")";
    case QNode::Or: return "(" + k(0) + " || " + k(1) + ")";
    case QNode::Implies: return "(" + k(0) + " -> " + k(1) + ")";
    case QNode::Overlap: return fmt::format("overlap({}, {})", q.members[0], q.members[1]);
    case QNode::EqualOffset: return fmt::format("equal_offset({}, {})", q.members[0], q.members[1]);
    case QNode::Present: return fmt::format("present({})", q.members[0]);
    case QNode::Decodes: return fmt::format("decodes({}, {}, {})", value_text(q.val), q.decoder, q.value);
    case QNode::Cmp: return k(0) + " " + q.name + " " + k(1);
    case QNode::Int: return std::to_string(q.value);
    case QNode::Offset: return fmt::format("offset({})", q.members[0]);
    case QNode::End: return fmt::format("end({})", q.members[0]);
    case QNode::Sizeof: return fmt::format("sizeof({})", q.members[0]);
    case QNode::Alignof: return fmt::format("alignof({})", q.members[0]);
    case QNode::Add: return "(" + k(0) + " + " + k(1) + ")";
    case QNode::Sub: return "(" + k(0) + " - " + k(1) + ")";
  }
  return "?";
}

// ---- text helpers ---------------------------------------------------------------------

std::string describe_value(const ValueSpec& v, const ArchInfo& arch, bool cold_unaligned) {
  std::string s;
  switch (v.kind) {
    case ValueSpec::Const: s = fmt::format("{:#x}", v.n); break;
    case ValueSpec::Named: s = v.name; break;
    case ValueSpec::FunctionAddress: {
      uint64_t a = v.n ? v.n : cold_unaligned ? 1 : arch.function_align;
      s = a == 1 ? "a function address (unaligned, as a cold function may be)"
                 : fmt::format("a function address ({}-byte aligned)", a);
      break;
    }
    case ValueSpec::SlabObject: s = fmt::format("a pointer to a {}-byte aligned object", v.n); break;
    case ValueSpec::Any: s = "any value"; break;
  }
  for (const auto& [op, k] : v.ops) s += fmt::format(" {} {:#x}", op, k);
  return s;
}

std::string config_text(const std::vector<std::pair<std::string, bool>>& cfg) {
  std::string s;
  for (const auto& [k, v] : cfg) s += (s.empty() ? "" : ", ") + k + (v ? "=y" : "=n");
  return s;
}

std::string ranges_text(const std::vector<MemberRange>& ms) {
  std::string s;
  for (const auto& m : ms) {
    s += s.empty() ? "" : ", ";
    if (!m.present) s += m.member + " absent";
    else if (m.size == 0) s += fmt::format("{} @{} (0 bytes)", m.member, m.offset);
    else s += fmt::format("{} bytes {}..{}", m.member, m.offset, m.offset + m.size - 1);
  }
  return s;
}

}  // namespace ptcheck::z3
