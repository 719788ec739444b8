#include "bt86/devices/pic8259_pair.h"

namespace bt86 {

namespace {
// ELCR bits that exist: IRQ0, 1, 2, 8 and 13 are edge-only on a PC chipset.
constexpr uint8_t kElcrMasterMask = 0xF8, kElcrSlaveMask = 0xDE;
}  // namespace

// Power-on state as a PC BIOS leaves it: vectors 0x08 and 0x70, edge
// triggered, everything masked except the cascade. Guests reprogram both.
Pic8259Pair::Pic8259Pair(std::function<void()> on_output_change)
    : master_(0x08, 0xFB, 1u << kCascadeIr), slave_(0x70, 0xFF),
      on_output_change_(std::move(on_output_change)) {}

void Pic8259Pair::set_irq(unsigned line, bool level) {
  if (line == kCascadeIr) line = 9;  // the AT rewired bus IRQ2 to the slave's IR1
  if (line < 8) master_.set_input(line, level);
  else if (line < 16) slave_.set_input(line - 8, level);
  else return;
  update();
}

uint8_t Pic8259Pair::acknowledge() {
  Pic8259::Ack ack = master_.acknowledge();
  uint8_t vector;
  if (!ack.spurious && ack.ir == kCascadeIr) {
    // The slave answers the second INTA; if its request went away it
    // answers its own IR7 (the spurious IRQ15).
    vector = static_cast<uint8_t>(slave_.vector_base() + slave_.acknowledge().ir);
    // The slave's INT drops during the INTA sequence, so a request still
    // waiting behind the acknowledged one reaches the master as a new edge.
    master_.set_input(kCascadeIr, false);
  } else {
    vector = static_cast<uint8_t>(master_.vector_base() + ack.ir);
  }
  update();
  return vector;
}

void Pic8259Pair::update() {
  master_.set_input(kCascadeIr, slave_.output());
  bool now = master_.output();
  if (now == output_) return;
  output_ = now;
  if (on_output_change_) on_output_change_();
}

uint8_t Pic8259Pair::ChipPorts::read8(uint64_t offset) {
  uint8_t value = chip_.read(static_cast<unsigned>(offset));
  pair_.update();  // a poll read acknowledges
  return value;
}

void Pic8259Pair::ChipPorts::write8(uint64_t offset, uint8_t value) {
  chip_.write(static_cast<unsigned>(offset), value);
  pair_.update();
}

uint8_t Pic8259Pair::ElcrPorts::read8(uint64_t offset) {
  return offset == 0 ? pair_.master_.level_triggered() : pair_.slave_.level_triggered();
}

void Pic8259Pair::ElcrPorts::write8(uint64_t offset, uint8_t value) {
  if (offset == 0) pair_.master_.set_level_triggered(value & kElcrMasterMask);
  else pair_.slave_.set_level_triggered(value & kElcrSlaveMask);
  pair_.update();
}

void Pic8259Pair::set_catch_up(unsigned line, uint32_t limit) {
  Pic8259& chip = line < 8 ? master_ : slave_;
  chip.set_catch_up(static_cast<uint8_t>(1u << (line & 7)), limit);
}

}  // namespace bt86
