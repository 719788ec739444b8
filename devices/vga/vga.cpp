#include "bt86/devices/vga.h"

namespace bt86 {

Vga::Vga(std::span<uint8_t> planes01, std::function<void(bool)> on_direct_text)
    : memory_(planes01), direct_(VgaMemory::direct_text(registers_)), on_direct_text_(std::move(on_direct_text)) {}

bool Vga::direct_text() const {
  std::lock_guard lock(mutex_);
  return direct_;
}

TextScreen Vga::text_screen() const {
  std::lock_guard lock(mutex_);
  return read_text_screen(registers_, memory_);
}

VgaRegisters Vga::registers() const {
  std::lock_guard lock(mutex_);
  return registers_;
}

uint8_t Vga::Ports::read8(uint64_t offset) {
  std::lock_guard lock(vga_.mutex_);
  return vga_.registers_.read(offset);
}

void Vga::Ports::write8(uint64_t offset, uint8_t value) {
  bool changed, direct;
  {
    std::lock_guard lock(vga_.mutex_);
    if (!vga_.registers_.write(offset, value)) return;
    direct = VgaMemory::direct_text(vga_.registers_);
    changed = direct != vga_.direct_;
    vga_.direct_ = direct;
  }
  if (changed && vga_.on_direct_text_) vga_.on_direct_text_(direct);
}

uint8_t Vga::Window::read8(uint64_t offset) {
  std::lock_guard lock(vga_.mutex_);
  return vga_.memory_.read(vga_.registers_, static_cast<uint32_t>(offset));
}

void Vga::Window::write8(uint64_t offset, uint8_t value) {
  std::lock_guard lock(vga_.mutex_);
  vga_.memory_.write(vga_.registers_, static_cast<uint32_t>(offset), value);
}

}  // namespace bt86
