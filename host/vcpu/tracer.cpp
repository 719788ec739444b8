#include "bt86/vcpu/tracer.h"

#include <x86intrin.h>

#include <algorithm>
#include <fmt/format.h>

namespace bt86 {

namespace {
constexpr struct {
  std::string_view name;
  uint32_t bit;
} kEvents[] = {{"int", trace::kInt},   {"io", trace::kIo},     {"cr", trace::kCr},
               {"mode", trace::kMode}, {"exit", trace::kExit}, {"translate", trace::kTranslate}};

const char* kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::kException: return "exception";
    case EventKind::kExternal: return "external";
    case EventKind::kSoftware: return "software";
    case EventKind::kIcebp: return "icebp";
  }
  return "?";
}

std::string describe(const Event& e) {
  std::string s = fmt::format("vector={:#04x} {} {}", e.vector, vector_name(e.vector), kind_name(e.kind));
  if (e.error_code) s += fmt::format(" error={:#x}", *e.error_code);
  return s;
}

// The mode as one word: CR0.PE, CR0.PG, CR4.PAE, EFLAGS.VM.
uint32_t mode_word(const CpuState& cpu) {
  return (cpu.cr0 & (cr0::kPE | cr0::kPG)) | (cpu.cr4 & cr4::kPAE) | (cpu.eflags & eflags::kVM);
}

std::string describe_mode(uint32_t m) {
  const char* cpu_mode = !(m & cr0::kPE) ? "real" : (m & eflags::kVM) ? "virtual-8086" : "protected";
  const char* paging = !(m & cr0::kPG) ? "off" : (m & cr4::kPAE) ? "pae" : "32-bit";
  return fmt::format("{} paging={}", cpu_mode, paging);
}
}  // namespace

std::optional<uint32_t> parse_trace_events(std::string_view list, std::string& error) {
  uint32_t mask = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    bool known = false;
    for (const auto& e : kEvents)
      if (name == e.name) mask |= e.bit, known = true;
    if (name == "all") mask = ~0u, known = true;
    if (!known) {
      error = fmt::format("--trace: unknown event '{}' (expected int, io, cr, mode, exit, translate or all)", name);
      return std::nullopt;
    }
  }
  return mask;
}

uint64_t Tracer::now() {
  const uint64_t ns = held_ns_ ? *held_ns_ : clock_ ? clock_->now_ns() : 0;
  return last_ns_ = std::max(last_ns_, ns);
}

void Tracer::line(uint64_t ns, Where at, std::string_view what) {
  if (!out_) return;
  fmt::print(out_, "{}.{:09} eip={:#010x} cpl={} {}\n", ns / 1'000'000'000, ns % 1'000'000'000, at.eip, at.cpl, what);
}

void Tracer::set_clock(const Clock* clock) {
  clock_ = clock;
  clock_reads_host_ = clock && clock->reads_host();
  last_ns_ = 0;
  clock_set_tsc_ = __rdtsc();
  clock_set_ns_ = clock ? clock->now_ns() : 0;
}

void Tracer::interrupt(Where at, const Event& event) {
  if (!on(trace::kInt) && !held_ns_ && clock_reads_host_) {
    Delivered& d = ring_[delivered_++ % kRing];
    d.ns = 0;
    d.tsc = __rdtsc();
    d.at = at;
    d.event = event;
    return;
  }
  const uint64_t ns = now();
  ring_[delivered_++ % kRing] = {ns, 0, at, event};
  if (on(trace::kInt)) line(ns, at, "int " + describe(event));
}

void Tracer::io(bool port, bool write, uint64_t address, unsigned size, uint32_t value) {
  if (!on(trace::kIo)) return;
  const Where at = cpu_ ? where(*cpu_) : Where{0, 0};
  line(now(), at,
       fmt::format("io {} {} {:#x} size={} value={:#0{}x}", port ? "port" : "mmio", write ? "write" : "read", address,
                   size, value, 2 + 2 * size));
}

void Tracer::cr(Where at, unsigned n, uint64_t old_value, uint64_t new_value) {
  if (on(trace::kCr)) line(now(), at, fmt::format("cr cr{}={:#010x} old={:#010x}", n, new_value, old_value));
}

void Tracer::mode(Where at, const CpuState& cpu) {
  const uint32_t m = mode_word(cpu);
  if (last_mode_ == m) return;
  if (last_mode_ && on(trace::kMode))
    line(now(), at, fmt::format("mode {} (was {})", describe_mode(m), describe_mode(*last_mode_)));
  last_mode_ = m;
}

void Tracer::exit(Where at, std::string_view cause) {
  if (on(trace::kExit)) line(now(), at, fmt::format("exit {}", cause));
}

void Tracer::translation(Where at, uint32_t start, uint32_t end, uint64_t phys, unsigned instructions) {
  if (on(trace::kTranslate))
    line(now(), at,
         fmt::format("translate {:#010x}-{:#010x} phys={:#x} instructions={}", start, end, phys, instructions));
}

void Tracer::host_code(const void* host, size_t size, uint32_t start, uint32_t end, unsigned cpl, std::string_view kind) {
  host_code(host, size, fmt::format("guest:{:#010x}-{:#010x}:cpl{}{}{}", start, end, cpl, kind.empty() ? "" : ":", kind));
}

void Tracer::host_code(const void* host, size_t size, std::string_view name) {
  if (!perf_map_) return;
  fmt::print(perf_map_, "{:x} {:x} {}\n", reinterpret_cast<uintptr_t>(host), size, name);
}

std::string Tracer::recent_interrupts() const {
  if (!delivered_) return {};
  const uint64_t n = std::min<uint64_t>(delivered_, kRing);
  std::string s = fmt::format("the last {} interrupts and exceptions, oldest first:\n", n);
  // TSC stamps to guest time: the TSC's rate against the clock since set_clock.
  const uint64_t now_tsc = __rdtsc(), now_ns = clock_ ? clock_->now_ns() : 0;
  const double ns_per_tick = now_tsc > clock_set_tsc_ && now_ns > clock_set_ns_
                                 ? static_cast<double>(now_ns - clock_set_ns_) / static_cast<double>(now_tsc - clock_set_tsc_)
                                 : 0;
  for (uint64_t i = delivered_ - n; i < delivered_; ++i) {
    const Delivered& d = ring_[i % kRing];
    uint64_t ns = d.ns;
    if (d.tsc) {
      const auto ago = static_cast<uint64_t>(static_cast<double>(now_tsc - std::min(d.tsc, now_tsc)) * ns_per_tick);
      ns = now_ns - std::min(ago, now_ns);
    }
    s += fmt::format("  {}.{:09} eip={:#010x} cpl={} {}\n", ns / 1'000'000'000, ns % 1'000'000'000, d.at.eip,
                     d.at.cpl, describe(d.event));
  }
  return s;
}

std::string death_report(const std::string& why, const CpuState& cpu, const Tracer* tracer) {
  return why + "\n" + (tracer ? tracer->recent_interrupts() : std::string{}) + dump_state(cpu);
}

}  // namespace bt86
