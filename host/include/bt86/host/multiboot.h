// Multiboot v1 loader for ELF (and a.out-kludge) kernels: loads the image
// and its modules, writes the Multiboot information structure after them,
// and sets up the CPU the way the specification defines the entry state.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "bt86/host/machine.h"

namespace bt86 {

class LoadError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A whole file; LoadError naming it as `what` when it cannot be read.
std::vector<uint8_t> read_file(const std::string& path, const char* what);

// modules: one "FILE [ARGS...]" per module, as QEMU's -initrd takes them;
// the whole string becomes the module's command line. Throws LoadError
// with a message for the user on any bad input.
void load_multiboot(Machine& machine, const std::string& path, const std::string& command_line,
                    const std::vector<std::string>& modules = {});

// "a args,b" -> {"a args", "b"}; ",," stands for a comma in a name or argument.
std::vector<std::string> split_module_list(const std::string& list);

namespace multiboot {
constexpr uint32_t kHeaderMagic = 0x1BADB002;
constexpr uint32_t kBootMagic = 0x2BADB002;
constexpr uint16_t kCodeSelector = 0x08, kDataSelector = 0x10;
}  // namespace multiboot

}  // namespace bt86
