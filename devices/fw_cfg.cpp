#include "bt86/devices/fw_cfg.h"

#include <cstring>

namespace bt86 {

namespace {
constexpr uint32_t kTraditionalInterface = 1;
constexpr size_t kFileNameSize = 56;

void put_be(std::vector<uint8_t>& out, uint64_t v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
std::vector<uint8_t> le(uint64_t v, unsigned bytes) {
  std::vector<uint8_t> out(bytes);
  for (unsigned i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
  return out;
}
}  // namespace

FwCfg::FwCfg() {
  set(kSignature, {'Q', 'E', 'M', 'U'});
  set_u32(kId, kTraditionalInterface);
  set(kUuid, std::vector<uint8_t>(16, 0));
  set_u16(kNoGraphic, 1);
  rebuild_directory();
}

void FwCfg::set(uint16_t key, std::vector<uint8_t> bytes) { items_[key] = std::move(bytes); }
void FwCfg::set_u16(uint16_t key, uint16_t v) { set(key, le(v, 2)); }
void FwCfg::set_u32(uint16_t key, uint32_t v) { set(key, le(v, 4)); }
void FwCfg::set_u64(uint16_t key, uint64_t v) { set(key, le(v, 8)); }

void FwCfg::add_file(const std::string& name, std::vector<uint8_t> bytes) {
  auto key = static_cast<uint16_t>(kFirstFile + files_.size());
  files_.emplace_back(name.substr(0, kFileNameSize - 1), key);
  set(key, std::move(bytes));
  rebuild_directory();
}

// The directory: a big-endian count, then per file its big-endian size,
// key and a reserved word, and its name in 56 bytes, NUL-padded.
void FwCfg::rebuild_directory() {
  std::vector<uint8_t> dir;
  put_be(dir, files_.size(), 4);
  for (const auto& [name, key] : files_) {
    put_be(dir, items_[key].size(), 4);
    put_be(dir, key, 2);
    put_be(dir, 0, 2);
    size_t at = dir.size();
    dir.resize(at + kFileNameSize, 0);
    std::memcpy(dir.data() + at, name.data(), name.size());
  }
  set(kFileDir, std::move(dir));
}

uint32_t FwCfg::read(uint64_t, unsigned size) {
  // Either port reads the data register; a wider read takes that many bytes.
  auto it = items_.find(selected_);
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    uint8_t byte = it != items_.end() && offset_ < it->second.size() ? it->second[offset_] : 0;
    if (it != items_.end() && offset_ < it->second.size()) ++offset_;
    v |= uint32_t{byte} << (8 * i);
  }
  return v;
}

void FwCfg::write(uint64_t offset, unsigned size, uint32_t value) {
  if (offset == 0 && size == 2) {  // the selector; data writes are ignored
    selected_ = static_cast<uint16_t>(value);
    offset_ = 0;
  }
}

}  // namespace bt86
