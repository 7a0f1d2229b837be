#pragma once
// The C layout and integer-constant rules, written once over a number domain.
//
// Two engines lay out the model's structs: sema::TypeEnv with plain integers
// for one Kconfig assignment (IntDomain, below), and z3::SymLayout with Z3
// bit-vector terms over every assignment at once (z3/sym_layout.cpp's
// Z3Domain). Both call these templates, so the rules cannot drift apart:
//   - align_up: rounding up to an alignment (a power of two, checked where
//     alignments enter: the ABI, __aligned(N));
//   - RecordLayout: members in order, each at its alignment (1 when packed),
//     unions at offset 0, __aligned raising the record's alignment, trailing
//     padding; a member is placed under a condition (always true for the
//     integer domain, which skips absent members);
//   - CInt and its operations: C's integer constant arithmetic with the usual
//     promotions and conversions (C11 6.3.1), two's-complement wrapping at
//     the type's width, shifts and division that are not constant when out of
//     range or by zero (when the domain knows the operand).
// tests/unit/z3/z3_test.cpp (Z3Agreement) checks that both engines give the
// same numbers: layouts at sample configs of every arch, constant arithmetic
// against C's answers, align_up.
//
// A domain D provides: types Num and Bool; lit(uint64_t); add, sub, mul, neg,
// band, bor, bxor, bnot, shl, lshr, ashr, udiv, urem, sdiv, srem; eq, ult,
// slt (Bool); select(Bool, Num, Num), umax, nonzero(Num) -> Bool,
// to01(Bool) -> Num; known(Num) -> std::optional<uint64_t> (the value when
// it is a constant of the domain); sext(Num, bits), zext(Num, bits): the low
// `bits` bits extended to 64.
#include <cstdint>
#include <optional>
#include <string>

#include "support/assert.h"

namespace ptcheck::sema::rules {

template <class D>
using Num = typename D::Num;

// v rounded up to a multiple of a (a power of two): (v + a - 1) & -a.
template <class D>
Num<D> align_up(const D& d, const Num<D>& v, const Num<D>& a) {
  return d.band(d.add(v, d.sub(a, d.lit(1))), d.neg(a));
}

template <class D>
class RecordLayout {
 public:
  RecordLayout(const D& d, bool is_union, bool packed)
      : d_(d), union_(is_union), packed_(packed), offset_(d.lit(0)), size_(d.lit(0)), align_(d.lit(1)) {}

  // Places a member of `size` bytes and natural alignment `align`, which is
  // there when `present`; returns its offset.
  Num<D> place(const typename D::Bool& present, const Num<D>& size, const Num<D>& align) {
    Num<D> a = packed_ ? d_.lit(1) : align;
    Num<D> off = union_ ? d_.lit(0) : align_up(d_, offset_, a);
    if (union_) size_ = d_.select(present, d_.umax(size_, size), size_);
    else offset_ = d_.select(present, d_.add(off, size), offset_);
    align_ = d_.select(present, d_.umax(align_, a), align_);
    return off;
  }
  // __aligned(N) / __aligned(expr) on the record.
  void raise_align(const Num<D>& a) { align_ = d_.umax(align_, a); }
  Num<D> align() const { return align_; }
  // The record's size: its members' extent padded to its alignment.
  Num<D> size() const { return align_up(d_, union_ ? size_ : offset_, align_); }

 private:
  const D& d_;
  bool union_, packed_;
  Num<D> offset_, size_, align_;
};

// ---- integer constant expressions ---------------------------------------------

// A C integer constant: its bits (sign-extended to 64 when signed, zero-extended
// when unsigned), its type's size in bytes and signedness.
template <class D>
struct CInt {
  Num<D> v;
  unsigned size;
  bool uns;
};

// v as an integer of `size` bytes: wrapped, then extended to 64 bits.
template <class D>
Num<D> norm(const D& d, const Num<D>& v, unsigned size, bool uns) {
  if (size >= 8) return v;
  return uns ? d.zext(v, size * 8) : d.sext(v, size * 8);
}

template <class D>
CInt<D> make_int(const D& d, const Num<D>& v, unsigned size, bool uns) {
  return CInt<D>{norm(d, v, size, uns), size, uns};
}

// The type of an integer literal (C11 6.4.4.1): int, then unsigned int for a
// decimal-or-not value that only fits there (ptcheck, like the kernel's
// sources, writes most large constants in hex), long, unsigned long.
struct LitType {
  unsigned size;
  bool uns;
};
inline LitType literal_type(uint64_t v, bool is_unsigned, bool is_long, unsigned isz, unsigned lsz) {
  auto fits = [&](unsigned s, bool u) {
    if (s >= 8) return u || v <= static_cast<uint64_t>(INT64_MAX);
    uint64_t max = u ? (uint64_t{1} << (s * 8)) - 1 : (uint64_t{1} << (s * 8 - 1)) - 1;
    return v <= max;
  };
  unsigned size = is_long ? lsz : isz;
  bool u = is_unsigned;
  if (!fits(size, u)) {
    if (!u && fits(size, true) && size == isz && !is_long) u = true;
    else if (fits(lsz, u)) size = lsz;
    else if (fits(lsz, true)) size = lsz, u = true;
    else size = 8, u = true;
  }
  return {size, u};
}

// Integer promotion: types narrower than int become int.
template <class D>
CInt<D> promote(const D& d, const CInt<D>& a, unsigned isz) {
  if (a.size < isz) return make_int(d, a.v, isz, false);
  return a;
}

// Conversion to an integer type of `size` bytes (a cast, or _Bool when
// to_bool).
template <class D>
CInt<D> convert(const D& d, const CInt<D>& a, unsigned size, bool uns, bool to_bool = false) {
  if (to_bool) return CInt<D>{d.to01(d.nonzero(a.v)), 1, true};
  return make_int(d, a.v, size, uns);
}

// Unary + - ~ !; nullopt for anything else.
template <class D>
std::optional<CInt<D>> unary(const D& d, const std::string& op, const CInt<D>& a0, unsigned isz) {
  if (op == "!") return CInt<D>{d.to01(d.eq(a0.v, d.lit(0))), isz, false};
  CInt<D> a = promote(d, a0, isz);
  if (op == "+") return a;
  if (op == "-") return make_int(d, d.neg(a.v), a.size, a.uns);
  if (op == "~") return make_int(d, d.bnot(a.v), a.size, a.uns);
  return std::nullopt;
}

// Binary arithmetic, bitwise, shift and comparison operators (not && || ,,
// which evaluate lazily and are the walker's). nullopt: not a constant (a
// shift out of range, a division by zero or INT_MIN / -1, when known) or not
// an operator here.
template <class D>
std::optional<CInt<D>> binary(const D& d, const std::string& op, const CInt<D>& a, const CInt<D>& b, unsigned isz) {
  CInt<D> x = promote(d, a, isz), y = promote(d, b, isz);
  if (op == "<<" || op == ">>") {
    // The result has the promoted left operand's type (C11 6.5.7).
    if (auto n = d.known(y.v)) {
      bool neg = !y.uns && static_cast<int64_t>(*n) < 0;
      if (neg || *n >= x.size * 8u) return std::nullopt;
    }
    Num<D> r = op == "<<" ? d.shl(x.v, y.v) : x.uns ? d.lshr(x.v, y.v) : d.ashr(x.v, y.v);
    return make_int(d, r, x.size, x.uns);
  }
  // Usual arithmetic conversions: the wider type; at equal width, unsigned wins.
  unsigned size = x.size > y.size ? x.size : y.size;
  bool u = (x.size == size && x.uns) || (y.size == size && y.uns);
  Num<D> xv = norm(d, x.v, size, u), yv = norm(d, y.v, size, u);
  auto cmp = [&](const typename D::Bool& c) { return CInt<D>{d.to01(c), isz, false}; };
  if (op == "==") return cmp(d.eq(xv, yv));
  if (op == "!=") return cmp(!d.eq(xv, yv));
  if (op == "<") return cmp(u ? d.ult(xv, yv) : d.slt(xv, yv));
  if (op == ">") return cmp(u ? d.ult(yv, xv) : d.slt(yv, xv));
  if (op == "<=") return cmp(!(u ? d.ult(yv, xv) : d.slt(yv, xv)));
  if (op == ">=") return cmp(!(u ? d.ult(xv, yv) : d.slt(xv, yv)));
  Num<D> r = d.lit(0);
  if (op == "+") r = d.add(xv, yv);
  else if (op == "-") r = d.sub(xv, yv);
  else if (op == "*") r = d.mul(xv, yv);
  else if (op == "&") r = d.band(xv, yv);
  else if (op == "|") r = d.bor(xv, yv);
  else if (op == "^") r = d.bxor(xv, yv);
  else if (op == "/" || op == "%") {
    auto yk = d.known(yv);
    if (yk && *yk == 0) return std::nullopt;
    if (!u) {
      auto xk = d.known(xv);
      if (xk && yk && static_cast<int64_t>(*xk) == INT64_MIN && static_cast<int64_t>(*yk) == -1) return std::nullopt;
    }
    r = op == "/" ? (u ? d.udiv(xv, yv) : d.sdiv(xv, yv)) : (u ? d.urem(xv, yv) : d.srem(xv, yv));
  } else {
    return std::nullopt;
  }
  return make_int(d, r, size, u);
}

// The integer domain: uint64_t values, bool conditions.
struct IntDomain {
  using Num = uint64_t;
  using Bool = bool;
  Num lit(uint64_t v) const { return v; }
  Num add(Num a, Num b) const { return a + b; }
  Num sub(Num a, Num b) const { return a - b; }
  Num mul(Num a, Num b) const { return a * b; }
  Num neg(Num a) const { return ~a + 1; }
  Num band(Num a, Num b) const { return a & b; }
  Num bor(Num a, Num b) const { return a | b; }
  Num bxor(Num a, Num b) const { return a ^ b; }
  Num bnot(Num a) const { return ~a; }
  Num shl(Num a, Num n) const { return n >= 64 ? 0 : a << n; }
  Num lshr(Num a, Num n) const { return n >= 64 ? 0 : a >> n; }
  Num ashr(Num a, Num n) const { return static_cast<Num>(static_cast<int64_t>(a) >> (n >= 64 ? 63 : n)); }
  // Callers rule out a zero divisor and INT64_MIN / -1 (binary() above).
  Num udiv(Num a, Num b) const { return a / b; }
  Num urem(Num a, Num b) const { return a % b; }
  Num sdiv(Num a, Num b) const { return static_cast<Num>(static_cast<int64_t>(a) / static_cast<int64_t>(b)); }
  Num srem(Num a, Num b) const { return static_cast<Num>(static_cast<int64_t>(a) % static_cast<int64_t>(b)); }
  Bool eq(Num a, Num b) const { return a == b; }
  Bool ult(Num a, Num b) const { return a < b; }
  Bool slt(Num a, Num b) const { return static_cast<int64_t>(a) < static_cast<int64_t>(b); }
  Num select(Bool c, Num a, Num b) const { return c ? a : b; }
  Num umax(Num a, Num b) const { return a > b ? a : b; }
  Bool nonzero(Num a) const { return a != 0; }
  Num to01(Bool c) const { return c ? 1 : 0; }
  std::optional<uint64_t> known(Num a) const { return a; }
  Num zext(Num a, unsigned bits) const { return bits >= 64 ? a : a & ((uint64_t{1} << bits) - 1); }
  Num sext(Num a, unsigned bits) const {
    if (bits >= 64) return a;
    Num m = uint64_t{1} << (bits - 1);
    a = zext(a, bits);
    return (a ^ m) - m;
  }
};

// align_up on plain integers (power-of-two alignments).
inline uint64_t align_up(uint64_t v, uint64_t a) {
  PT_ASSERT(a != 0 && (a & (a - 1)) == 0, "alignments are powers of two");
  return align_up(IntDomain{}, v, a);
}

}  // namespace ptcheck::sema::rules
