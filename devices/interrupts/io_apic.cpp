#include "bt86/devices/io_apic.h"

namespace bt86 {

namespace {
constexpr uint64_t kMasked = 1u << 16, kLevel = 1u << 15, kRemoteIrr = 1u << 14, kActiveLow = 1u << 13;
// Vector, delivery mode, destination mode, polarity, trigger mode, mask
// and the destination field (delivery status and remote IRR are read-only).
constexpr uint64_t kWritable = 0xFF00000000000000ull | 0x1AFFF;
constexpr uint8_t kRegId = 0x00, kRegVersion = 0x01, kRegArbitration = 0x02, kRegTable = 0x10;
}  // namespace

IoApic::IoApic(uint8_t id, std::function<bool(const ApicMessage&)> send)
    : send_(std::move(send)), id_(uint32_t{id} << 24) {
  redirection_.fill(kMasked);
}

uint32_t IoApic::read(uint64_t offset, unsigned size) {
  uint32_t value = 0;
  if (offset == kRegSelect) value = select_;
  else if (offset == kWindow) value = read_register(select_);
  return size == 4 ? value : value & ((1u << (8 * size)) - 1);
}

void IoApic::write(uint64_t offset, unsigned, uint32_t value) {
  if (offset == kRegSelect) select_ = static_cast<uint8_t>(value);
  else if (offset == kWindow) write_register(select_, value);
  else if (offset == kEoi) eoi(static_cast<uint8_t>(value));
}

uint32_t IoApic::read_register(uint8_t index) const {
  switch (index) {
    case kRegId: return id_;
    case kRegVersion: return (kPins - 1) << 16 | kVersion;
    case kRegArbitration: return id_;
    default: break;
  }
  if (index >= kRegTable && index < kRegTable + 2 * kPins) {
    uint64_t e = redirection_[(index - kRegTable) / 2];
    return static_cast<uint32_t>(index & 1 ? e >> 32 : e);
  }
  return 0xFFFFFFFF;
}

void IoApic::write_register(uint8_t index, uint32_t value) {
  if (index == kRegId) {
    id_ = value & 0x0F000000;
    return;
  }
  if (index < kRegTable || index >= kRegTable + 2 * kPins) return;
  unsigned pin = (index - kRegTable) / 2;
  uint64_t& e = redirection_[pin];
  uint64_t half = index & 1 ? uint64_t{value} << 32 : value;
  uint64_t half_mask = (index & 1 ? 0xFFFFFFFF00000000ull : 0xFFFFFFFFull) & kWritable;
  e = (e & ~half_mask) | (half & half_mask);
  if (!(e & kLevel)) e &= ~kRemoteIrr;  // only level entries wait for an EOI
  if (e & kLevel) owed_[pin] = 0;  // owed edges stay owed across masking, as on the 8259A
  service_level(pin);                    // unmasked (or made level) with the pin asserted
}

bool IoApic::asserted(unsigned pin) const { return level_[pin] != ((redirection_[pin] & kActiveLow) != 0); }

void IoApic::set_pin(unsigned pin, bool level) {
  if (pin >= kPins) return;
  bool was = asserted(pin);
  level_[pin] = level;
  uint64_t e = redirection_[pin];
  if (e & kLevel) service_level(pin);
  else if (!was && asserted(pin) && !(e & kMasked)) edge(pin);  // an edge while masked is lost
}

void IoApic::edge(unsigned pin) {
  if (!send(pin) && owed_[pin] < catch_up_limit_[pin]) ++owed_[pin];
}

void IoApic::acknowledged(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; ++pin) {
    uint64_t e = redirection_[pin];
    if (!owed_[pin] || (e & (kLevel | kMasked)) || (e & 0xFF) != vector) continue;
    if (send(pin)) --owed_[pin], ++caught_up_;
  }
}

void IoApic::service_level(unsigned pin) {
  uint64_t& e = redirection_[pin];
  if (!(e & kLevel) || (e & (kMasked | kRemoteIrr)) || !asserted(pin)) return;
  e |= kRemoteIrr;
  send(pin);
}

void IoApic::eoi(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; ++pin) {
    uint64_t& e = redirection_[pin];
    if ((e & kRemoteIrr) && (e & 0xFF) == vector) {
      e &= ~kRemoteIrr;
      service_level(pin);
    }
  }
}

bool IoApic::send(unsigned pin) {
  uint64_t e = redirection_[pin];
  ApicMessage m;
  m.delivery = static_cast<ApicDelivery>((e >> 8) & 7);
  m.vector = static_cast<uint8_t>(e);
  m.level_triggered = e & kLevel;
  m.logical = e & (1u << 11);
  m.destination = static_cast<uint8_t>(e >> 56);
  return !send_ || send_(m);
}

void IsaInterruptRouter::set_irq(unsigned line, bool level) {
  pic_.set_irq(line, level);
  io_apic_.set_pin(pin_of(line), level);
}

}  // namespace bt86
