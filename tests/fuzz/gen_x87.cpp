// x87: loads and stores of every memory format, arithmetic on the register
// stack and on memory, compares (into FSW and into EFLAGS), the constants,
// transcendentals, control-word loads (exceptions stay masked: an unmasked
// one would be a #MF at the next x87 instruction) and stack bookkeeping.
#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;
namespace I = x86::Inst;

namespace {

x86::St st(GenContext& g) { return x86::st(g.below(8)); }

void load_store(GenContext& g) {
  switch (g.below(8)) {
    case 0: g.emit(I::kIdFld, {g.mem(g.pick({4u, 8u, 10u}))}); break;
    case 1: g.emit(I::kIdFst, {g.mem(g.pick({4u, 8u}))}); break;
    case 2: g.emit(I::kIdFstp, {g.mem(g.pick({4u, 8u, 10u}))}); break;
    case 3: g.emit(I::kIdFild, {g.mem(g.pick({2u, 4u, 8u}))}); break;
    case 4: g.emit(g.pick({I::kIdFist, I::kIdFistp}), {g.mem(g.pick({2u, 4u}))}); break;
    case 5: g.emit(g.pick({I::kIdFistp, I::kIdFisttp}), {g.mem(g.pick({2u, 4u, 8u}))}); break;
    case 6: g.emit(g.pick({I::kIdFbld, I::kIdFbstp}), {g.mem(10)}); break;
    default: g.emit(g.pick({I::kIdFld, I::kIdFst, I::kIdFstp, I::kIdFxch}), {st(g)});
  }
}

void arith(GenContext& g) {
  InstId id = g.pick({I::kIdFadd, I::kIdFsub, I::kIdFsubr, I::kIdFmul, I::kIdFdiv, I::kIdFdivr});
  switch (g.below(4)) {
    case 0: g.emit(id, {x86::st0, st(g)}); break;
    case 1: g.emit(id, {st(g), x86::st0}); break;
    case 2: g.emit(id, {g.mem(g.pick({4u, 8u}))}); break;
    default: {
      static const InstId popping[] = {I::kIdFaddp, I::kIdFsubp, I::kIdFsubrp, I::kIdFmulp, I::kIdFdivp,
                                       I::kIdFdivrp};
      static const InstId integer[] = {I::kIdFiadd, I::kIdFisub, I::kIdFisubr, I::kIdFimul, I::kIdFidiv,
                                       I::kIdFidivr};
      unsigned k = g.below(6);
      if (g.chance(50)) g.emit(popping[k], {st(g)});  // st(i) = st(i) op st0, pop
      else g.emit(integer[k], {g.mem(g.pick({2u, 4u}))});
    }
  }
}

void compare(GenContext& g) {
  switch (g.below(5)) {
    case 0: g.emit(g.pick({I::kIdFcom, I::kIdFcomp, I::kIdFucom, I::kIdFucomp}), {st(g)}); break;
    case 1: g.emit(g.pick({I::kIdFcom, I::kIdFcomp}), {g.mem(g.pick({4u, 8u}))}); break;
    case 2: g.emit(g.pick({I::kIdFcomi, I::kIdFcomip, I::kIdFucomi, I::kIdFucomip}), {st(g)}); break;
    case 3: g.emit(g.pick({I::kIdFicom, I::kIdFicomp}), {g.mem(g.pick({2u, 4u}))}); break;
    default: g.emit(g.pick({I::kIdFcompp, I::kIdFucompp, I::kIdFtst, I::kIdFxam}), {});
  }
}

void unary(GenContext& g) {
  g.emit(g.pick({I::kIdFchs, I::kIdFabs, I::kIdFsqrt, I::kIdFrndint, I::kIdFscale, I::kIdFprem, I::kIdFprem1,
                 I::kIdFxtract, I::kIdF2xm1, I::kIdFyl2x, I::kIdFyl2xp1, I::kIdFptan, I::kIdFpatan, I::kIdFsin,
                 I::kIdFcos, I::kIdFsincos}),
         {});
}

void constants(GenContext& g) {
  g.emit(g.pick({I::kIdFld1, I::kIdFldz, I::kIdFldpi, I::kIdFldl2e, I::kIdFldl2t, I::kIdFldlg2, I::kIdFldln2}),
         {});
}

void control(GenContext& g) {
  switch (g.below(6)) {
    case 0: g.emit(I::kIdFnstsw, {g.chance(50) ? Operand(x86::ax) : Operand(g.mem(2))}); break;
    case 1: g.emit(I::kIdFnstcw, {g.mem(2)}); break;
    case 2: {  // every exception masked; any precision and rounding
      x86::Mem m = g.mem(2);
      g.emit(I::kIdMov, {m, Imm(0x7F | (g.u32() & 0x0F00) | (g.chance(10) ? 0x1000 : 0))});
      g.emit(I::kIdFldcw, {m});
      break;
    }
    case 3: g.emit(g.pick({I::kIdFincstp, I::kIdFdecstp, I::kIdFnclex, I::kIdFnop, I::kIdFwait}), {}); break;
    case 4: g.emit(I::kIdFfree, {st(g)}); break;
    default: {
      static const InstId fcmov[] = {I::kIdFcmovb, I::kIdFcmove, I::kIdFcmovbe, I::kIdFcmovu,
                                     I::kIdFcmovnb, I::kIdFcmovne, I::kIdFcmovnbe, I::kIdFcmovnu};
      g.emit(fcmov[g.below(8)], {st(g)});
    }
  }
}

constexpr Gen kGens[] = {
    {"x87_load_store", 10, load_store}, {"x87_arith", 10, arith}, {"x87_compare", 6, compare},
    {"x87_unary", 5, unary},            {"x87_constants", 2, constants}, {"x87_control", 5, control},
};

}  // namespace

std::span<const Gen> x87_gens() { return kGens; }

}  // namespace bt86::fuzz
