#include "bt86/devices/uart16550.h"

namespace bt86 {

namespace {
enum Reg : uint64_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint8_t kLsrDataReady = 0x01, kLsrThrEmpty = 0x20, kLsrIdle = 0x40;
}  // namespace

uint32_t Uart16550::read(uint64_t offset, unsigned) {
  switch (offset) {
    case kData:
      if (dlab()) return divisor_ & 0xFF;
      data_ready_ = false;
      return rbr_;
    case kIer: return dlab() ? divisor_ >> 8 : ier_;
    case kIir: return (fcr_ & 1 ? 0xC0 : 0x00) | 0x01;  // no interrupt pending
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThrEmpty | kLsrIdle | (data_ready_ ? kLsrDataReady : 0);
    case kMsr:
      // In loopback the modem outputs feed the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
      if (loopback())
        return ((mcr_ & 0x02) << 3) | ((mcr_ & 0x01) << 5) | ((mcr_ & 0x04) << 4) | ((mcr_ & 0x08) << 4);
      return 0xB0;  // CTS, DSR, DCD: a terminal is attached
    case kScr: return scr_;
  }
  return 0xFF;
}

void Uart16550::write(uint64_t offset, unsigned, uint32_t value) {
  uint8_t v = value & 0xFF;
  switch (offset) {
    case kData:
      if (dlab()) { divisor_ = (divisor_ & 0xFF00) | v; return; }
      if (loopback()) { rbr_ = v; data_ready_ = true; return; }
      ++transmitted_;
      sink_(v);
      return;
    case kIer:
      if (dlab()) divisor_ = static_cast<uint16_t>((divisor_ & 0x00FF) | (v << 8));
      else ier_ = v & 0x0F;
      return;
    case kIir: fcr_ = v; return;  // FCR on write
    case kLcr: lcr_ = v; return;
    case kMcr: mcr_ = v & 0x1F; return;
    case kScr: scr_ = v; return;
    default: return;  // LSR/MSR are read-only
  }
}

}  // namespace bt86
