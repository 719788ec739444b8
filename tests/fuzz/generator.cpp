#include "generator.h"

#include <algorithm>

#include "families.h"

namespace bt86::fuzz {

using namespace asmjit;

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Pool {
  std::vector<Gen> gens;
  unsigned total = 0;
  void add(std::span<const Gen> s, unsigned scale) {
    for (Gen g : s) {
      g.weight *= scale;
      total += g.weight;
      gens.push_back(g);
    }
  }
  const Gen& pick(GenContext& g) const {
    unsigned r = g.below(total);
    for (const Gen& gen : gens) {
      if (r < gen.weight) return gen;
      r -= gen.weight;
    }
    return gens.back();
  }
};

bool uses_excluded(const Unit& u, const GeneratorOptions& o) {
  return std::any_of(u.items.begin(), u.items.end(), [&](const Item& it) {
    return std::find(o.excluded.begin(), o.excluded.end(), it.id) != o.excluded.end();
  });
}

// Forward jumps between units, added last: a jump may only skip units that
// leave ESP alone, so that the stack budget holds on every path.
void add_jumps(GenContext& g, Program& p) {
  static const InstId jcc[] = {x86::Inst::kIdJo, x86::Inst::kIdJno, x86::Inst::kIdJb,  x86::Inst::kIdJnb,
                               x86::Inst::kIdJz, x86::Inst::kIdJnz, x86::Inst::kIdJbe, x86::Inst::kIdJnbe,
                               x86::Inst::kIdJs, x86::Inst::kIdJns, x86::Inst::kIdJp,  x86::Inst::kIdJnp,
                               x86::Inst::kIdJl, x86::Inst::kIdJnl, x86::Inst::kIdJle, x86::Inst::kIdJnle};
  unsigned jumps = g.below(1 + static_cast<uint32_t>(p.units.size()) / 8);
  int next_id = 0;
  for (const Unit& u : p.units) next_id = std::max(next_id, u.id + 1);
  for (unsigned j = 0; j < jumps; ++j) {
    size_t at = g.below(static_cast<uint32_t>(p.units.size()));
    size_t skip = 1 + g.below(4);
    size_t to = at;
    while (to < p.units.size() && to < at + skip && p.units[to].stack_delta == 0) ++to;
    Unit u{next_id++};
    Item it;
    it.id = g.chance(85) ? jcc[g.below(16)] : x86::Inst::kIdJmp;
    it.jump_to = to < p.units.size() ? p.units[to].id : kJumpToEnd;
    u.items.push_back(it);
    p.units.insert(p.units.begin() + static_cast<std::ptrdiff_t>(at), std::move(u));
  }
}

}  // namespace

Case generate(uint64_t seed, uint64_t index, const GeneratorOptions& options) {
  Case c;
  c.seed = seed;
  c.index = index;
  const uint64_t case_seed = mix(seed ^ mix(index));
  random_state(case_seed, c.state, c.data);

  Pool pool;
  pool.add(integer_gens(), 6);
  pool.add(flow_gens(), 4);
  pool.add(legacy_gens(), 3);
  if (options.x87) pool.add(x87_gens(), 3);
  if (options.sse) pool.add(sse_gens(), 3);

  GenContext g(mix(case_seed), options.code16);
  // Half the cases start in the last 256 bytes of a page: their code runs
  // across the page boundary (blocks end there; an instruction may straddle it).
  c.code_offset = g.chance(50) ? 0xF00 + g.below(0x100) : g.below(0xF00);
  unsigned units = options.min_units + g.below(options.max_units - options.min_units + 1);
  if (g.chance(10)) units *= 3;  // blocks longer than the translator's limit (96)
  while (c.program.units.size() < units) {
    g.begin();
    pool.pick(g).fn(g);
    Unit u = g.finish();
    if (!u.items.empty() && !uses_excluded(u, options)) c.program.units.push_back(std::move(u));
  }
  add_jumps(g, c.program);
  return c;
}

}  // namespace bt86::fuzz
