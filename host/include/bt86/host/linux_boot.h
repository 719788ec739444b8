// Linux x86 boot protocol loader (bzImage + initrd + command line), entering
// the kernel through the 32-bit boot protocol: protected mode, paging off,
// ESI = the zero page (struct boot_params), as `qemu -kernel` leaves it.
#pragma once
#include <cstdint>
#include <string>

#include "bt86/host/machine.h"
#include "bt86/host/multiboot.h"  // LoadError

namespace bt86 {

// True when the file starts like a bzImage ("HdrS" at offset 0x202); false
// for anything else, including a file that cannot be read.
bool is_bzimage(const std::string& path);

// Loads the kernel (and the initrd, when `initrd` is not empty) and sets the
// CPU to the 32-bit entry state. Throws LoadError on any bad input.
void load_linux(Machine& machine, const std::string& bzimage, const std::string& initrd,
                const std::string& command_line);

namespace linux_boot {
// Guest-physical layout chosen by the loader (all below 1 MiB except the
// kernel and the initrd).
constexpr uint32_t kGdtAddr = 0x800;
constexpr uint32_t kStackTop = 0x7000;  // unused by the protocol; harmless
constexpr uint32_t kBootParamsAddr = 0x10000;  // the zero page, 4 KiB
constexpr uint32_t kCmdlineAddr = 0x20000;
constexpr uint32_t kCmdlineLimit = 0x9FC00;  // the command line ends below the EBDA
constexpr uint32_t kKernelAddr = 0x100000;
// 32-bit kernels map only their low memory (896 MiB with the 3G/1G split);
// the initrd must lie there.
constexpr uint64_t kLowmemLimit = 0x38000000;
constexpr uint16_t kBootCs = 0x10, kBootDs = 0x18;
constexpr uint16_t kMinProtocol = 0x0204;

// Offsets in the zero page (Documentation/arch/x86/zero-page.rst, boot.rst).
namespace bp {
constexpr uint32_t kAltMemK = 0x1E0, kE820Entries = 0x1E8, kSetupSects = 0x1F1, kSysSize = 0x1F4,
                   kBootFlag = 0x1FE, kJump = 0x200, kHeader = 0x202, kVersion = 0x206,
                   kTypeOfLoader = 0x210, kLoadFlags = 0x211, kCode32Start = 0x214,
                   kRamdiskImage = 0x218, kRamdiskSize = 0x21C, kHeapEndPtr = 0x224,
                   kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22C, kKernelAlignment = 0x230,
                   kRelocatable = 0x234, kCmdlineSize = 0x238, kPrefAddress = 0x258,
                   kInitSize = 0x260, kHeaderLimit = 0x290, kE820Table = 0x2D0;
constexpr unsigned kE820Max = 128;
constexpr uint32_t kMagic = 0x53726448;  // "HdrS"
constexpr uint8_t kLoadedHigh = 0x01, kQuiet = 0x20, kKeepSegments = 0x40, kCanUseHeap = 0x80;
}  // namespace bp
}  // namespace linux_boot

}  // namespace bt86
