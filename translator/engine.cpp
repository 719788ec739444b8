// The run loop of the BT backend: find or translate the block at EIP,
// enter translated code, and deal with whatever made it exit.
#include "engine.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <thread>

#include <sys/mman.h>

#include "block_builder.h"
#include "emit.h"
#include "helpers.h"
#include "host_faults.h"

namespace bt86 {

namespace {
constexpr unsigned kMaxBlockInstructions = 96;

// Wakes up once after `seconds` and asks the engine to stop, unless
// cancelled first.
class Watchdog {
public:
  Watchdog(double seconds, Engine& engine, std::atomic<bool>& fired) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, seconds, &engine, &fired] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return cancelled_; })) {
        fired = true;
        engine.request_stop();
      }
    });
  }
  ~Watchdog() {
    if (!thread_.joinable()) return;
    { std::lock_guard lock(mutex_); cancelled_ = true; }
    cv_.notify_all();
    thread_.join();
  }

private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool cancelled_ = false;
};
}  // namespace

Engine::Engine(GuestContext c)
    : cpu(c.cpu), ram(c.ram), io(c.io), mmio(c.mmio), control(c.control),
      stubs_(Stubs::generate(cache_)), window_(c.ram), indirect_(kIndirectEntries) {
  window_.map_identity();
  reset_indirect_table();
}

Engine::~Engine() = default;

void Engine::request_stop() {
  stop_requested_ = true;
  mprotect(cache_.poll_page(), CodeCache::kPage, PROT_NONE);
}

void Engine::reset_indirect_table() {
  for (IndirectEntry& e : indirect_) e = {0, 0, stubs_.miss_target};
}

void Engine::forget_invalidated() {
  for (Block* b : cache_.last_invalidated()) {
    IndirectEntry& e = indirect_[b->guest_eip & (kIndirectEntries - 1)];
    if (e.host == b->host) e = {0, 0, stubs_.miss_target};
    ++stats.blocks_invalidated;
  }
}

uint32_t Engine::current_mode() const {
  uint32_t m = 0;
  if (cpu.code32()) m |= mode::kCode32;
  if (cpu.protected_mode()) m |= mode::kProtected;
  bool flat = true;
  for (unsigned s : {kCs, kDs, kEs, kSs}) flat &= cpu.seg[s].base == 0;
  if (flat) m |= mode::kFlat;
  m |= cpu.cpl() << mode::kCplShift;
  return m;
}

void Engine::state_changed() {
  for (unsigned s = 0; s < 6; ++s) cpu.seg_base[s] = cpu.seg[s].base;
}

void Engine::set_eflags(uint32_t value) {
  cpu.eflags = (value & eflags::kImplemented) | eflags::kFixed1;
  cpu.string_stride = (cpu.eflags & eflags::kDF) ? -1 : 1;
}

bool Engine::fetch(uint32_t linear, uint8_t* buf, size_t& len) const {
  if (!window_.is_mapped_ram(linear)) return false;
  len = std::min<uint64_t>(ZYDIS_MAX_INSTRUCTION_LENGTH, ram.size() - linear);
  std::memcpy(buf, ram.host(linear), len);
  return true;
}

Block* Engine::translate(uint32_t eip, uint32_t mode) {
  const bool single = mode & mode::kSingle;
  auto fresh = std::make_unique<Block>();
  fresh->key = {eip, mode};
  fresh->guest_eip = eip;
  BlockBuilder b(stubs_, cache_, std::move(fresh));

  uint32_t pc = eip;
  for (unsigned n = 0;; ++n) {
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH] = {};
    size_t len = 0;
    b.begin_instruction(pc);
    std::optional<Insn> insn;
    if (fetch(pc, bytes, len)) insn = decode({bytes, len}, pc, mode & mode::kCode32);
    if (!insn) {
      Insn bad{};
      bad.eip = pc;
      std::memcpy(bad.bytes, bytes, sizeof bytes);
      bad.info.length = static_cast<uint8_t>(std::min<size_t>(len, 4));
      bad.info.mnemonic = ZYDIS_MNEMONIC_INVALID;
      b.call_helper(len ? helper_undefined : helper_fetch_outside_ram, len ? "undefined" : "fetch_fault", bad);
      pc += 1;
      break;
    }
    ++b.block().instructions;
    Emitter special = special_emitter(insn->mnemonic());
    Flow flow = special ? special(b, *insn) : emit_ident(b, *insn);
    pc = insn->next_eip();
    if (flow == Flow::kEndBlock) break;
    if (single || n + 1 >= kMaxBlockInstructions || pc / CodeCache::kPage != eip / CodeCache::kPage) {
      b.jump_to(pc);
      break;
    }
  }
  b.block().guest_end = pc;
  std::unique_ptr<Block> block = b.finish(cache_);
  if (!block) return nullptr;  // cache full

  ++stats.blocks_translated;
  stats.guest_instructions_translated += block->instructions;
  stats.tc_bytes += block->host_size;
  Block* raw = block.get();
  if (single) {
    cache_.adopt_single(std::move(block));
  } else {
    for (uint32_t page = eip & ~0xFFFu; page < pc; page += CodeCache::kPage) window_.protect_code(page);
    cache_.insert(std::move(block));
  }
  return raw;
}

Block* Engine::lookup_or_translate(uint32_t eip, uint32_t mode) {
  if (!(mode & mode::kSingle))
    if (Block* b = cache_.find({eip, mode})) return b;
  if (Block* b = translate(eip, mode)) return b;
  cache_.flush();
  ++flush_generation_;
  ++stats.tc_flushes;
  reset_indirect_table();
  Block* b = translate(eip, mode);
  if (!b) throw std::runtime_error("translation cache cannot hold a single block");
  return b;
}

int Engine::run_helper(const HelperSite& site) {
  cpu.eip = site.insn.eip;
  ++stats.exits[site.cause];
  HelperResult r = site.fn(*this, site);
  if (!cache_.last_invalidated().empty()) {
    // A helper wrote guest code: if that was the block running now, do not
    // return into it.
    forget_invalidated();
    if (r == HelperResult::kContinue) {
      cpu.eip = site.insn.next_eip();
      r = HelperResult::kExit;
    }
  }
  if (r == HelperResult::kContinue) return 0;
  cpu.exit_info = reinterpret_cast<uint64_t>(&site) | exit_tag::kHelper;
  return 1;
}

Block* Engine::after_exit() {
  uint64_t info = cpu.exit_info;
  if (info == exit_tag::kIndirectMiss) {
    ++stats.exits["indirect_miss"];
    uint32_t mode = current_mode();
    Block* b = lookup_or_translate(cpu.eip, mode);
    indirect_[cpu.eip & (kIndirectEntries - 1)] = {0u - cpu.eip, 0, b->host};
    return b;
  }
  if (info == exit_tag::kHostFault) return handle_host_fault();
  if (info & exit_tag::kHelper) return nullptr;  // the helper left cpu.eip where to go on

  auto* link = reinterpret_cast<ExitLink*>(info);
  ++stats.exits["block_link"];
  uint64_t generation = flush_generation_;
  bool chainable = link->owner->valid;
  Block* target = lookup_or_translate(cpu.eip, current_mode());
  if (chainable && generation == flush_generation_ && target->valid) {
    cache_.chain(*link, *target);
    ++stats.chained_jumps;
  }
  return target;
}

RunOutcome Engine::run(double timeout_seconds) {
  FaultHandlerScope faults(*this);
  Watchdog watchdog(timeout_seconds, *this, timed_out_);
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](int status, std::string message) {
    stats.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return RunOutcome{status, std::move(message)};
  };
  state_changed();
  set_eflags(cpu.eflags);
  cpu.window_base = reinterpret_cast<uint64_t>(window_.base());
  cpu.indirect_table = reinterpret_cast<uint64_t>(indirect_.data());
  cpu.poll_page = reinterpret_cast<uint64_t>(cache_.poll_page());

  Block* next = nullptr;
  for (;;) {
    // A one-instruction block lives in the garbage list until it has run.
    bool single = next && (next->key.mode & mode::kSingle);
    bool next_ok = next && (single || next->valid);
    if (!single) cache_.collect_garbage();
    if (!next_ok) next = nullptr;
    if (control.exit_status) return finish(*control.exit_status, control.reason);
    if (death_) return finish(exit_status::kGuestDied, *death_ + "\n" + dump_state(cpu));
    if (stop_requested_) {
      if (timed_out_) return finish(exit_status::kTimeout, fmt::format("timeout after {} s", timeout_seconds));
      stop_requested_ = false;
      mprotect(cache_.poll_page(), CodeCache::kPage, PROT_READ);
    }
    if (pending_) {
      PendingException e = *pending_;
      pending_.reset();
      next = nullptr;
      if (!deliver(e)) continue;  // death_ is set
    }
    if (cpu.halted) {
      if (!(cpu.eflags & eflags::kIF))
        return finish(exit_status::kHalted, fmt::format("guest halted with interrupts disabled at EIP={:#010x}", cpu.eip));
      return finish(exit_status::kHalted,
                    fmt::format("guest halted at EIP={:#010x} and no device can interrupt it", cpu.eip));
    }
    if (!cpu.protected_mode())
      return finish(exit_status::kGuestDied, "real mode is not supported yet\n" + dump_state(cpu));
    uint32_t mode = current_mode();
    if (mode != indirect_mode_) {
      reset_indirect_table();
      indirect_mode_ = mode;
    }
    if (!next) next = lookup_or_translate(cpu.eip, mode);
    stubs_.enter(&cpu, next->host);
    next = after_exit();
    forget_invalidated();
  }
}

// ---- the public facade ----------------------------------------------------

BtCpu::BtCpu(GuestContext context) : engine_(std::make_unique<Engine>(context)) {}
BtCpu::~BtCpu() = default;
RunOutcome BtCpu::run(double timeout_seconds) { return engine_->run(timeout_seconds); }
const Stats& BtCpu::stats() const { return engine_->stats; }

}  // namespace bt86

extern "C" int bt86_helper_entry(bt86::CpuState*, const void* site) {
  return bt86::current_engine()->run_helper(*static_cast<const bt86::HelperSite*>(site));
}
