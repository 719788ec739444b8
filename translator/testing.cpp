// The public testing surface (bt86/translator/testing.h) over the
// translator's private parts.
#include "bt86/translator/testing.h"

#include <algorithm>
#include <cstring>

#include "cache/code_cache.h"
#include "dispatch/stubs.h"
#include "emit/block_builder.h"
#include "emit/emit.h"
#include "emit/op_table.h"
#include "runtime/compat32.h"

namespace bt86::testing {

// ---- InstructionTranslator ------------------------------------------------

struct InstructionTranslator::Impl {
  explicit Impl(size_t bytes) : cache(bytes), stubs(Stubs::generate(cache)) {}
  CodeCache cache;
  Stubs stubs;
  std::vector<std::unique_ptr<Block>> kept;  // helper sites live in them

  // Translates insn alone; nullptr when the cache is full.
  std::unique_ptr<Block> build(const Insn& insn, uint32_t mode, TranslatedInstruction& out) {
    auto fresh = std::make_unique<Block>();
    fresh->key = {insn.eip, insn.eip, mode};
    fresh->guest_eip = insn.eip;
    BlockBuilder b(stubs, cache, std::move(fresh));
    b.begin_instruction(insn.eip);
    ++b.block().instructions;
    Flow flow = emit_instruction(b, insn);
    if (flow == Flow::kContinue) b.jump_to(insn.next_eip());  // as block formation ends a block
    b.block().guest_end = insn.next_eip();
    std::unique_ptr<Block> block = b.finish(cache);
    if (!block) return nullptr;
    out.guest = insn.info;
    std::memcpy(out.guest_ops, insn.ops, sizeof insn.ops);
    out.eip = insn.eip;
    out.ends_block = flow == Flow::kEndBlock;
    out.host = block->host;
    out.size = block->host_size;
    out.code_offset = block->side.front().host_offset;
    out.inline_end = b.inline_size();
    out.first_exit_jump = block->exits.empty() ? nullptr : block->exits.front().jmp_site;
    out.exit_stubs.clear();
    for (const ExitLink& e : block->exits) out.exit_stubs.push_back(e.stub);
    out.helper_causes.clear();
    for (const HelperSite& site : block->sites) out.helper_causes.emplace_back(site.cause);
    out.spill_reg = block->side.front().spill_reg;
    return block;
  }
};

InstructionTranslator::InstructionTranslator(size_t cache_bytes) : impl_(std::make_unique<Impl>(cache_bytes)) {}
InstructionTranslator::~InstructionTranslator() = default;

std::optional<TranslatedInstruction> InstructionTranslator::translate(std::span<const uint8_t> bytes, uint32_t eip,
                                                                      uint32_t mode) {
  std::optional<Insn> insn = decode(bytes, eip, mode & mode::kCode32);
  if (!insn) return std::nullopt;
  TranslatedInstruction out;
  std::unique_ptr<Block> block = impl_->build(*insn, mode, out);
  if (!block) return std::nullopt;
  impl_->kept.push_back(std::move(block));
  return out;
}

std::optional<TranslatedInstruction> InstructionTranslator::sweep(std::span<const uint8_t> bytes, uint32_t eip,
                                                                  uint32_t mode) {
  std::optional<Insn> insn = decode(bytes, eip, mode & mode::kCode32);
  if (!insn) return std::nullopt;
  TranslatedInstruction out;
  if (impl_->build(*insn, mode, out)) return out;
  impl_->cache.flush();  // nothing in it is used again: every sweep drops its block
  impl_->kept.clear();
  if (impl_->build(*insn, mode, out)) return out;
  return std::nullopt;
}

std::vector<InstructionTranslator::Stub> InstructionTranslator::stubs() const {
  const Stubs& s = impl_->stubs;
  return {{"enter", reinterpret_cast<const uint8_t*>(s.enter)},
          {"exit", s.exit_common},
          {"helper_thunk", s.helper_thunk},
          {"access_thunk", s.access_thunk},
          {"fault_exit", s.fault_exit},
          {"indirect_miss", s.miss_target}};
}

const uint8_t* InstructionTranslator::helper_thunk() const { return impl_->stubs.helper_thunk; }

bool has_op_row(ZydisMnemonic mnemonic) { return find_op(mnemonic) != nullptr; }

// ---- CodeCacheProbe -------------------------------------------------------

struct CodeCacheProbe::Impl {
  explicit Impl(size_t size) : cache(size) {}
  CodeCache cache;
  std::vector<Block*> blocks;  // by BlockId; owned by the cache

  std::optional<BlockId> id_of(const Block* b) const {
    if (!b) return std::nullopt;
    auto it = std::find(blocks.begin(), blocks.end(), b);
    if (it == blocks.end()) return std::nullopt;
    return static_cast<BlockId>(it - blocks.begin());
  }
};

namespace {
constexpr size_t kExitSite = 8, kStubOffset = 32;  // where BlockBuilder-like blocks have them
}

CodeCacheProbe::CodeCacheProbe(size_t size) : impl_(std::make_unique<Impl>(size)) {}
CodeCacheProbe::~CodeCacheProbe() = default;

CodeCacheProbe::BlockId CodeCacheProbe::add_block(uint32_t eip, uint32_t end, uint32_t exit_target, uint32_t mode,
                                                  bool single) {
  auto b = std::make_unique<Block>();
  b->key = {eip, eip, mode | (single ? mode::kSingle : 0)};
  b->guest_eip = eip;
  b->guest_end = end;
  b->phys_pages[0] = eip & ~0xFFFu;
  if (((end - 1) & ~0xFFFu) != b->phys_pages[0]) b->phys_pages[1] = (end - 1) & ~0xFFFu;
  b->host = impl_->cache.allocate(kBlockBytes);
  if (!b->host) throw std::runtime_error("CodeCacheProbe: the cache is full");
  b->host_size = kBlockBytes;
  std::memset(b->host, 0xCC, kBlockBytes);
  ExitLink& exit = b->exits.emplace_back();
  exit.owner = b.get();
  exit.target_eip = exit_target;
  exit.jmp_site = b->host + kExitSite;
  exit.stub = b->host + kStubOffset;
  exit.jmp_site[0] = 0xE9;
  auto rel = static_cast<int32_t>(exit.stub - (exit.jmp_site + 5));
  std::memcpy(exit.jmp_site + 1, &rel, 4);
  impl_->blocks.push_back(b.get());
  if (single) impl_->cache.adopt_single(std::move(b));
  else impl_->cache.insert(std::move(b));
  return static_cast<BlockId>(impl_->blocks.size() - 1);
}

uint8_t* CodeCacheProbe::allocate(size_t bytes) { return impl_->cache.allocate(bytes); }
size_t CodeCacheProbe::used() const { return impl_->cache.used(); }
uint8_t* CodeCacheProbe::begin() const { return impl_->cache.begin(); }
uint8_t* CodeCacheProbe::poll_page() const { return impl_->cache.poll_page(); }
bool CodeCacheProbe::contains(const void* p) const { return impl_->cache.contains(p); }
void CodeCacheProbe::set_permanent(size_t bytes) { impl_->cache.set_permanent(bytes); }
size_t CodeCacheProbe::block_count() const { return impl_->cache.block_count(); }

std::optional<CodeCacheProbe::BlockId> CodeCacheProbe::find(uint32_t phys, uint32_t linear, uint32_t mode) const {
  return impl_->id_of(impl_->cache.find({phys, linear, mode}));
}
std::optional<CodeCacheProbe::BlockId> CodeCacheProbe::find_by_host(const uint8_t* pc) const {
  return impl_->id_of(impl_->cache.find_by_host(pc));
}
uint8_t* CodeCacheProbe::host(BlockId b) const { return impl_->blocks[b]->host; }
bool CodeCacheProbe::valid(BlockId b) const { return impl_->blocks[b]->valid; }

const uint8_t* CodeCacheProbe::exit_target(BlockId b) const {
  const uint8_t* site = impl_->blocks[b]->exits.front().jmp_site;
  int32_t rel;
  std::memcpy(&rel, site + 1, 4);
  return site + 5 + rel;
}
const uint8_t* CodeCacheProbe::exit_stub(BlockId b) const { return impl_->blocks[b]->exits.front().stub; }
uint8_t CodeCacheProbe::exit_opcode(BlockId b) const { return impl_->blocks[b]->exits.front().jmp_site[0]; }
bool CodeCacheProbe::exit_chained(BlockId b) const { return impl_->blocks[b]->exits.front().chained(); }

std::vector<CodeCacheProbe::BlockId> CodeCacheProbe::chained_from(BlockId b) const {
  std::vector<BlockId> from;
  for (const ExitLink& link : impl_->blocks[b]->incoming)
    if (std::optional<BlockId> id = impl_->id_of(link.owner)) from.push_back(*id);
  return from;
}

void CodeCacheProbe::chain(BlockId from, BlockId to) {
  impl_->cache.chain(impl_->blocks[from]->exits.front(), *impl_->blocks[to]);
}
size_t CodeCacheProbe::invalidate_page(uint32_t phys) { return impl_->cache.invalidate_page(phys); }
void CodeCacheProbe::invalidate(BlockId b) { impl_->cache.invalidate(*impl_->blocks[b]); }

std::vector<CodeCacheProbe::BlockId> CodeCacheProbe::last_invalidated() const {
  std::vector<BlockId> ids;
  for (const Block* b : impl_->cache.last_invalidated())
    if (std::optional<BlockId> id = impl_->id_of(b)) ids.push_back(*id);
  return ids;
}
void CodeCacheProbe::collect_garbage() { impl_->cache.collect_garbage(); }
void CodeCacheProbe::flush() { impl_->cache.flush(); }

// ---- NativeLegacy ---------------------------------------------------------

struct NativeLegacy::Impl {
  Compat32 compat32;
};

NativeLegacy::NativeLegacy() : impl_(std::make_unique<Impl>()) {}
NativeLegacy::~NativeLegacy() = default;

NativeLegacy::Result NativeLegacy::run(std::span<const uint8_t> insn, uint32_t eax, uint32_t eflags) {
  Compat32::Result r = impl_->compat32.run(insn, eax, eflags);
  return {r.eax, r.eflags};
}

}  // namespace bt86::testing
