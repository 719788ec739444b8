// Multiboot v1 loader for ELF (and a.out-kludge) kernels: loads the image,
// writes the Multiboot information structure, and sets up the CPU the way
// the specification defines the entry state.
#pragma once
#include <stdexcept>
#include <string>

#include "bt86/host/machine.h"

namespace bt86 {

class LoadError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws LoadError with a message for the user on any bad input.
void load_multiboot(Machine& machine, const std::string& path, const std::string& command_line);

namespace multiboot {
constexpr uint32_t kHeaderMagic = 0x1BADB002;
constexpr uint32_t kBootMagic = 0x2BADB002;
// Where the loader puts its own structures (below 1 MiB, above the IVT/BDA).
constexpr uint32_t kGdtAddr = 0x800;
constexpr uint32_t kInfoAddr = 0x9000;
// The loader's own area, which no kernel segment may overlap.
constexpr uint32_t kReservedStart = kGdtAddr, kReservedEnd = 0xB000;
constexpr uint16_t kCodeSelector = 0x08, kDataSelector = 0x10;
}  // namespace multiboot

}  // namespace bt86
