// A VGA card as text modes use it: the registers (VgaRegisters) on ports
// 0x3B0-0x3DF, the display memory (VgaMemory) in the window
// 0xA0000-0xBFFFF, and the text screen they show (read_text_screen), which
// a display thread may read while the guest runs. Planes 0 and 1 live in
// memory the owner gives (the guest RAM under the window); whenever the
// registers start or stop letting the CPU write the text window
// 0xB8000-0xBFFFF as those plain bytes (VgaMemory::direct_text), the
// owner hears it and routes the CPU's accesses there to RAM or to this
// device. Everything else (graphics modes, the font in plane 2) is kept
// correctly but never drawn.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>

#include "bt86/devices/byte_device.h"
#include "bt86/devices/vga_memory.h"
#include "bt86/devices/vga_registers.h"
#include "bt86/devices/vga_text.h"

namespace bt86 {

class Vga {
public:
  // planes01: VgaMemory::kWindowSize bytes, outliving this.
  // on_direct_text(direct): VgaMemory::direct_text changed (called on the
  // thread that wrote the register, outside the device's lock).
  Vga(std::span<uint8_t> planes01, std::function<void(bool)> on_direct_text);

  Device& ports() { return ports_; }    // map at VgaRegisters::kPortBase, kPorts ports
  Device& window() { return window_; }  // map at VgaMemory::kWindowBase, kWindowSize bytes
  bool direct_text() const;
  // The screen now; safe from any thread.
  TextScreen text_screen() const;
  // A copy of the registers (tests, diagnostics).
  VgaRegisters registers() const;

private:
  class Ports final : public ByteDevice {
  public:
    explicit Ports(Vga& vga) : ByteDevice(VgaRegisters::kPorts), vga_(vga) {}
    std::string_view name() const override { return "vga"; }

  protected:
    uint8_t read8(uint64_t offset) override;
    void write8(uint64_t offset, uint8_t value) override;

  private:
    Vga& vga_;
  };
  class Window final : public ByteDevice {
  public:
    explicit Window(Vga& vga) : ByteDevice(VgaMemory::kWindowSize), vga_(vga) {}
    std::string_view name() const override { return "vga-memory"; }

  protected:
    uint8_t read8(uint64_t offset) override;
    void write8(uint64_t offset, uint8_t value) override;

  private:
    Vga& vga_;
  };

  // Guards the registers and the planes against the display thread. (The
  // CPU's direct writes to the text window race with it harmlessly: a
  // frame may show a cell a moment early or late.)
  mutable std::mutex mutex_;
  VgaRegisters registers_;
  VgaMemory memory_;
  bool direct_;
  std::function<void(bool)> on_direct_text_;
  Ports ports_{*this};
  Window window_{*this};
};

}  // namespace bt86
