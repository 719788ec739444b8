#include "emit/block_builder.h"

#include "runtime/helpers.h"
#include "emit/host_regs.h"
#include "cache/relocate.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;

BlockBuilder::BlockBuilder(const Stubs& stubs, const CodeCache& cache, std::unique_ptr<Block> block)
    : stubs_(stubs), poll_page_(cache.poll_page()), block_(std::move(block)) {
  code_.init(Environment::host());
  code_.attach(&a_);
  // Safepoint poll: one load from a page the engine revokes to stop us.
  a_.mov(r10d, ptr_rel(reinterpret_cast<uint64_t>(poll_page_), 4));
}

void BlockBuilder::begin_instruction(uint32_t eip, int8_t spill_reg) {
  Label l = a_.newLabel();
  a_.bind(l);
  side_labels_.push_back(l);
  block_->side.push_back({0, eip, spill_reg});
}

void BlockBuilder::mark_spill(int8_t reg) { block_->side.back().spill_reg = reg; }

void BlockBuilder::jump_to(uint32_t target_eip) {
  ExitLink& link = block_->exits.emplace_back();
  link.owner = block_.get();
  link.target_eip = target_eip;
  PendingExit e{a_.newLabel(), a_.newLabel(), &link};
  a_.bind(e.site);
  a_.long_().jmp(e.stub);  // always rel32, so chaining can patch it
  exits_.push_back(e);
}

// Looks the target (r9d) up in the indirect-branch table without touching
// guest flags: entries hold -eip, so lea gives zero exactly on a hit, and
// jrcxz tests it (rcx is swapped out of the way and back). Inlined at every
// site so each site's final indirect jmp is predicted on its own.
void BlockBuilder::jump_indirect() {
  if (bounce()) {  // back to the run loop, which does the lookup
    a_.jmp(imm(reinterpret_cast<uint64_t>(stubs_.miss_target)));
    return;
  }
  Label hit = a_.newLabel();
  a_.mov(r11, hostreg::frame_field(offsetof(CpuFrame, indirect_table), 8));
  a_.movzx(r10d, r9w);
  a_.lea(r10, ptr(r10, r10));     // entry = table + index * 16
  a_.lea(r10, ptr(r11, r10, 3));
  a_.mov(r11d, dword_ptr(r10));
  a_.lea(r11d, ptr(r11, r9));
  a_.xchg(r11, rcx);
  a_.jecxz(rcx, hit);
  a_.xchg(r11, rcx);
  a_.jmp(imm(reinterpret_cast<uint64_t>(stubs_.miss_target)));
  a_.bind(hit);
  a_.mov(rcx, r11);
  a_.jmp(qword_ptr(r10, 8));
}

void BlockBuilder::call_helper(HelperFn fn, const char* cause, const Insn& insn) {
  HelperSite& site = block_->sites.emplace_back(HelperSite{fn, cause, insn});
  a_.mov(r10, imm(reinterpret_cast<uint64_t>(&site)));
  a_.call(imm(reinterpret_cast<uint64_t>(stubs_.helper_thunk)));
}

void BlockBuilder::call_access(const Insn& insn, uint32_t arg) {
  HelperSite& site = block_->sites.emplace_back(HelperSite{nullptr, "bounce_access", insn});
  site.arg = arg;
  site.adaptive_key = adaptive_key_;
  // The thunk keeps the guest registers and flags; r9-r11 are saved here
  // (four pushes keep rsp 16-byte aligned).
  for (const Gp& r : {r9, r10, r11, r11}) a_.push(r);
  a_.mov(r10, imm(reinterpret_cast<uint64_t>(&site)));
  a_.call(imm(reinterpret_cast<uint64_t>(stubs_.access_thunk)));
  for (const Gp& r : {r11, r11, r10, r9}) a_.pop(r);
}

Label BlockBuilder::segment_fault(const Insn& insn, bool stack) {
  HelperFn fn = stack ? helper_segment_ss : helper_segment_gp;
  if (!faults_.empty() && faults_.back().site->fn == fn && faults_.back().site->insn.eip == insn.eip)
    return faults_.back().stub;  // one stub per instruction and vector
  HelperSite& site = block_->sites.emplace_back(HelperSite{fn, stack ? "segment_ss" : "segment_gp", insn});
  faults_.push_back({a_.newLabel(), &site});
  return faults_.back().stub;
}

std::unique_ptr<Block> BlockBuilder::finish(CodeCache& cache) {
  inline_size_ = static_cast<uint32_t>(a_.offset());
  for (PendingFault& f : faults_) {  // the helper raises and never returns here
    a_.bind(f.stub);
    a_.mov(r10, imm(reinterpret_cast<uint64_t>(f.site)));
    a_.call(imm(reinterpret_cast<uint64_t>(stubs_.helper_thunk)));
  }
  for (PendingExit& e : exits_) {
    a_.bind(e.stub);
    a_.mov(hostreg::cpu_eip(), imm(e.link->target_eip));
    a_.mov(r10, imm(reinterpret_cast<uint64_t>(e.link)));
    a_.jmp(imm(reinterpret_cast<uint64_t>(stubs_.exit_common)));
  }
  Placed placed = place_in_cache(code_, cache);
  if (!placed.host) return nullptr;
  block_->host = placed.host;
  block_->host_size = placed.size;
  for (size_t i = 0; i < side_labels_.size(); ++i)
    block_->side[i].host_offset = static_cast<uint32_t>(code_.labelOffsetFromBase(side_labels_[i]));
  for (PendingExit& e : exits_) {
    e.link->jmp_site = placed.host + code_.labelOffsetFromBase(e.site);
    e.link->stub = placed.host + code_.labelOffsetFromBase(e.stub);
  }
  return std::move(block_);
}

}  // namespace bt86
