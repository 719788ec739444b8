#include "bt86/devices/test_ports.h"

namespace bt86 {

void BochsShutdownPort::write(uint64_t, unsigned, uint32_t value) {
  static constexpr std::string_view kWord = "Shutdown";
  auto c = static_cast<char>(value);
  matched_ = c == kWord[matched_] ? matched_ + 1 : c == kWord[0] ? 1 : 0;
  if (matched_ == kWord.size()) {
    matched_ = 0;
    if (power_off_) power_off_();
  }
}

}  // namespace bt86
