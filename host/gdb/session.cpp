#include "session.h"

#include <algorithm>
#include <fmt/format.h>

#include "debug_memory.h"
#include "registers.h"

namespace bt86::gdb {

namespace {
constexpr size_t kPacketSize = 0x4000;  // announced in qSupported
const char* const kError = "E01";
const char* const kMemoryError = "E14";  // EFAULT

// "a,b" -> the two hex numbers.
std::optional<std::pair<uint64_t, uint64_t>> two_numbers(std::string_view s) {
  size_t comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> a = parse_hex(s.substr(0, comma)), b = parse_hex(s.substr(comma + 1));
  if (!a || !b || *a > 0xFFFFFFFF) return std::nullopt;
  return std::pair{*a, *b};
}
}  // namespace

Session::Action Session::serve() {
  for (;;) {
    std::optional<std::string> packet = channel_.receive();
    if (!packet) return Action::kHangup;
    std::optional<Action> action;
    std::string reply = answer(*packet, action);
    // Resuming packets are answered by the stop that ends the run; 'k'
    // has no answer.
    if (action && *action != Action::kDetach) return *action;
    if (!channel_.send(reply)) return Action::kHangup;
    if (action) return *action;
  }
}

DebugRequest Session::request(bool step) const {
  DebugRequest r;
  for (const auto& [address, hardware] : breakpoints_) r.breakpoints.push_back(address);
  r.watchpoints = watchpoints_;
  r.step = step;
  return r;
}

bool Session::report(const DebugStop& stop) {
  last_stop_ = stop_reply(stop);
  return channel_.send(last_stop_);
}

std::string Session::stop_reply(const DebugStop& stop) const {
  switch (stop.reason) {
    case DebugStop::Reason::kInterrupted: return "T02";
    case DebugStop::Reason::kStep: return "T05";
    case DebugStop::Reason::kBreakpoint: {
      auto it = breakpoints_.find(stop.address);
      return it != breakpoints_.end() && it->second ? "T05hwbreak:;" : "T05swbreak:;";
    }
    case DebugStop::Reason::kWatchpoint:
      for (const Watchpoint& w : watchpoints_)
        if (w.covers(stop.address, 1)) {
          const char* kind = w.kind == WatchKind::kWrite ? "watch" : w.kind == WatchKind::kRead ? "rwatch" : "awatch";
          return fmt::format("T05{}:{:x};", kind, stop.address);
        }
      return "T05";
  }
  return "T05";
}

std::string Session::answer(std::string_view p, std::optional<Action>& action) {
  if (p.empty()) return "";
  const std::string_view args = p.substr(1);
  switch (p[0]) {
    case '?': return last_stop_;
    case 'g': return read_registers();
    case 'G': return write_registers(args);
    case 'p': {
      std::optional<uint64_t> n = parse_hex(args);
      if (!n || *n >= kRegisters) return kError;
      return to_hex(read_register(context_.cpu, static_cast<unsigned>(*n)));
    }
    case 'P': {
      size_t eq = args.find('=');
      std::optional<uint64_t> n = parse_hex(args.substr(0, eq));
      std::optional<std::string> bytes = eq == std::string_view::npos ? std::nullopt : from_hex(args.substr(eq + 1));
      if (!n || *n >= kRegisters || !bytes) return kError;
      return write_register(context_.cpu, static_cast<unsigned>(*n), *bytes) ? "OK" : kError;
    }
    case 'm': return read_memory(args);
    case 'M': return write_memory(args);
    case 'Z': return breakpoint(true, args);
    case 'z': return breakpoint(false, args);
    case 'c': case 's': case 'C': case 'S':
      action = resume(p);
      return action ? "" : kError;
    case 'D':
      action = Action::kDetach;
      return "OK";
    case 'k':
      action = Action::kKill;
      return "";
    case 'H': case 'T': return "OK";  // one thread: every thread is it
    case 'q': case 'Q': return query(p);
    case 'v':
      if (p == "vCont?") return "vCont;c;C;s;S";
      if (p.starts_with("vCont;")) {
        action = resume(p);
        return action ? "" : kError;
      }
      return "";
    default: return "";  // not supported
  }
}

std::optional<Session::Action> Session::resume(std::string_view p) {
  // vCont;ACTION[:thread][;...]: one thread, so the first action is its.
  if (p.starts_with("vCont;")) {
    p.remove_prefix(6);
    p = p.substr(0, std::min(p.find(';'), p.find(':')));
  }
  const char kind = p[0];
  std::string_view rest = p.substr(1);
  if (kind == 'C' || kind == 'S') {  // the signal is the guest's business: none is delivered
    size_t semi = rest.find(';');
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
  }
  const bool step = kind == 's' || kind == 'S';
  if (step && !vcpu_.debug_abilities().step) return std::nullopt;
  if (!rest.empty()) {
    std::optional<uint64_t> address = parse_hex(rest);
    if (!address) return std::nullopt;
    set_program_counter(context_.cpu, static_cast<uint32_t>(*address));
  }
  return step ? Action::kStep : Action::kContinue;
}

std::string Session::read_registers() const {
  std::string all;
  for (unsigned n = 0; n < kRegisters; ++n) all += read_register(context_.cpu, n);
  return to_hex(all);
}

std::string Session::write_registers(std::string_view hex) {
  std::optional<std::string> bytes = from_hex(hex);
  if (!bytes) return kError;
  CpuState copy = context_.cpu;  // all or nothing
  size_t at = 0;
  for (unsigned n = 0; n < kRegisters && at < bytes->size(); ++n) {
    const unsigned size = register_size(n);
    if (at + size > bytes->size() || !write_register(copy, n, std::string_view(*bytes).substr(at, size)))
      return kError;
    at += size;
  }
  context_.cpu = copy;
  return "OK";
}

std::string Session::read_memory(std::string_view args) {
  auto range = two_numbers(args);
  if (!range) return kError;
  std::string bytes(std::min<uint64_t>(range->second, kPacketSize / 2 - 16), '\0');
  const size_t n = gdb::read_memory(context_.ram, context_.cpu, static_cast<uint32_t>(range->first),
                                    reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  if (n == 0 && !bytes.empty()) return kMemoryError;
  return to_hex(std::string_view(bytes).substr(0, n));
}

std::string Session::write_memory(std::string_view args) {
  size_t colon = args.find(':');
  auto range = two_numbers(args.substr(0, colon));
  std::optional<std::string> bytes = colon == std::string_view::npos ? std::nullopt : from_hex(args.substr(colon + 1));
  if (!range || !bytes || bytes->size() != range->second) return kError;
  if (!gdb::write_memory(context_.ram, context_.cpu, static_cast<uint32_t>(range->first),
                         reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()))
    return kMemoryError;
  vcpu_.guest_memory_changed();  // translated code and shadow page tables may be stale
  return "OK";
}

// Z/z TYPE,ADDRESS,KIND: 0 and 1 breakpoints (KIND: the instruction's size
// for gdb, 1 here), 2 write, 3 read, 4 access watchpoints (KIND: bytes).
std::string Session::breakpoint(bool insert, std::string_view args) {
  size_t comma = args.find(',');
  std::optional<uint64_t> type = parse_hex(args.substr(0, comma));
  auto where = comma == std::string_view::npos ? std::nullopt : two_numbers(args.substr(comma + 1));
  if (!type || *type > 4 || !where) return kError;
  const auto address = static_cast<uint32_t>(where->first);
  const DebugAbilities can = vcpu_.debug_abilities();
  // Refused rather than unsupported (an empty reply): gdb would fall back
  // to writing int3 into guest memory.
  if (*type <= 1) {
    if (!can.breakpoints) return kError;
    if (insert) breakpoints_[address] = *type == 1;
    else breakpoints_.erase(address);
    return "OK";
  }
  if (!can.watchpoints || where->second == 0 || where->second > 0x1000) return kError;
  const WatchKind kind = *type == 2 ? WatchKind::kWrite : *type == 3 ? WatchKind::kRead : WatchKind::kAccess;
  const Watchpoint w{address, static_cast<uint32_t>(where->second), kind};
  auto it = std::find(watchpoints_.begin(), watchpoints_.end(), w);
  if (insert && it == watchpoints_.end()) watchpoints_.push_back(w);
  if (!insert && it != watchpoints_.end()) watchpoints_.erase(it);
  return "OK";
}

std::string Session::query(std::string_view p) {
  if (p.starts_with("qSupported"))
    return fmt::format("PacketSize={:x};qXfer:features:read+;swbreak+;hwbreak+", kPacketSize);
  if (p == "qAttached" || p.starts_with("qAttached:")) return "1";  // detaching leaves the guest running
  if (p == "qC") return "QC1";
  if (p == "qfThreadInfo") return "m1";
  if (p == "qsThreadInfo") return "l";
  if (p.starts_with("qSymbol")) return "OK";
  constexpr std::string_view kXfer = "qXfer:features:read:";
  if (p.starts_with(kXfer)) {
    std::string_view rest = p.substr(kXfer.size());
    size_t colon = rest.find(':');
    if (rest.substr(0, colon) != "target.xml") return "E00";
    auto range = colon == std::string_view::npos ? std::nullopt : two_numbers(rest.substr(colon + 1));
    if (!range) return kError;
    const std::string_view xml = target_xml();
    if (range->first >= xml.size()) return "l";
    std::string_view chunk = xml.substr(range->first, std::min<uint64_t>(range->second, kPacketSize - 16));
    return (range->first + chunk.size() >= xml.size() ? "l" : "m") + std::string(chunk);
  }
  return "";
}

}  // namespace bt86::gdb
