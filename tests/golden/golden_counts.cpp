// bt86_golden: the golden instruction counts (a speed guard, as FEX's
// InstructionCountCI): for every guest instruction of corpus.asm, translated
// alone in a block mode, the host instructions of its code (the block's
// safepoint poll and out-of-line stubs left out), counted and listed as
// JSON; and the same for the stubs every block enters and leaves through.
//
//   bt86_golden write CORPUS.bin MODE OUT.json     (regenerate.sh runs these)
//   bt86_golden check CORPUS.bin MODE GOLDEN.json  (the golden.* tests)
//   bt86_golden write-stubs OUT.json / check-stubs GOLDEN.json
//
// check exits 1, naming each instruction whose count changed with its new
// host code, until the file is regenerated; a listing that changed with the
// same count (another register, an offset) is not a failure.
#include <Zydis/Zydis.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/segmentation/disassemble.h"
#include "bt86/translator/testing.h"

namespace {

using bt86::testing::InstructionTranslator;
namespace mode = bt86::mode;

constexpr uint32_t kEip = 0x00100000;
constexpr uint32_t kAllSegments = 0x3F;

struct Mode {
  const char* name;
  uint32_t bits;
  const char* what;
};
const Mode kModes[] = {
    {"flat", bt86::testing::kFlatMode, "32-bit protected mode at CPL 0, flat segments, paging off"},
    {"checked", mode::kCode32 | mode::kProtected | kAllSegments << mode::kCheckedShift,
     "32-bit protected mode at CPL 0, every segment register limited (its accesses checked)"},
    {"cpl3", bt86::testing::kFlatMode | mode::kPaging | 3u << mode::kCplShift,
     "32-bit user code: CPL 3, flat segments, paging on"},
    {"paging", bt86::testing::kFlatMode | mode::kPaging, "32-bit kernel code: CPL 0, flat segments, paging on"},
};

// One guest instruction's (or stub's) host code.
struct Entry {
  std::string name;   // the guest instruction, or the stub's name
  std::string bytes;  // the guest bytes (empty for a stub)
  std::vector<std::string> host;
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Host code as text that does not change from run to run: branch targets
// inside the block by offset, stubs by name, host pointers as <ptr>.
class Lister {
public:
  explicit Lister(const InstructionTranslator& tr) : stubs_(tr.stubs()) {
    ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisFormatterInit(&formatter_, ZYDIS_FORMATTER_STYLE_INTEL);
  }

  // The instructions in [from, to), of a block at [block, block + size).
  std::vector<std::string> list(const uint8_t* from, const uint8_t* to, const uint8_t* block, size_t size,
                                bool stop_at_exit = false) const {
    std::vector<std::string> out;
    for (const uint8_t* p = from; p < to;) {
      ZydisDecodedInstruction info;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder_, p, static_cast<ZyanUSize>(to - p), &info, ops))) {
        out.push_back("<undecodable>");
        break;
      }
      out.push_back(text(info, ops, p, block, size));
      p += info.length;
      if (stop_at_exit && (info.mnemonic == ZYDIS_MNEMONIC_RET ||
                           (info.mnemonic == ZYDIS_MNEMONIC_JMP && ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE)))
        break;
    }
    return out;
  }

private:
  std::string text(const ZydisDecodedInstruction& info, const ZydisDecodedOperand* ops, const uint8_t* at,
                   const uint8_t* block, size_t size) const {
    if (info.operand_count_visible > 0 && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative) {
      ZyanU64 target = 0;
      ZydisCalcAbsoluteAddress(&info, &ops[0], reinterpret_cast<uint64_t>(at), &target);
      return fmt::format("{} {}", ZydisMnemonicGetString(info.mnemonic), target_name(target, block, size));
    }
    char buf[256];
    ZydisFormatterFormatInstruction(&formatter_, &info, ops, info.operand_count_visible, buf, sizeof buf,
                                    reinterpret_cast<uint64_t>(at), nullptr);
    static const std::regex kHostPointer("0x[0-9A-Fa-f]{9,}");
    return std::regex_replace(buf, kHostPointer, "<ptr>");
  }

  std::string target_name(uint64_t target, const uint8_t* block, size_t size) const {
    auto t = reinterpret_cast<const uint8_t*>(target);
    if (t >= block && t < block + size) return fmt::format("block+{:#x}", t - block);
    for (const InstructionTranslator::Stub& s : stubs_)
      if (s.at == t) return fmt::format("<{}>", s.name);
    return "<host>";
  }

  ZydisDecoder decoder_;
  ZydisFormatter formatter_;
  std::vector<InstructionTranslator::Stub> stubs_;
};

std::vector<Entry> translate_corpus(const std::vector<uint8_t>& corpus, const Mode& m) {
  InstructionTranslator tr;
  Lister lister(tr);
  std::vector<Entry> out;
  for (size_t off = 0; off < corpus.size();) {
    std::span<const uint8_t> rest(corpus.data() + off, corpus.size() - off);
    std::optional<bt86::testing::TranslatedInstruction> t = tr.translate(rest, kEip, m.bits);
    if (!t) throw std::runtime_error(fmt::format("corpus byte {:#x} does not decode", off));
    const unsigned len = t->guest.length;
    Entry e{bt86::format_guest_instruction(t->guest, t->guest_ops, kEip), bt86::hex_string(rest.first(len)), {}};
    e.host = lister.list(t->host + t->code_offset, t->host + t->inline_end, t->host, t->size);
    out.push_back(std::move(e));
    off += len;
  }
  return out;
}

// The stubs, each along the path a call that returns takes: from its entry
// to its ret (or its jmp to a register: into translated code).
std::vector<Entry> list_stubs() {
  InstructionTranslator tr;
  Lister lister(tr);
  std::vector<Entry> out;
  for (const InstructionTranslator::Stub& s : tr.stubs()) {
    if (std::string(s.name) == "fault_exit" || std::string(s.name) == "indirect_miss") continue;  // jump on
    out.push_back({s.name, "", lister.list(s.at, s.at + 4096, s.at, 0, /*stop_at_exit=*/true)});
  }
  return out;
}

std::string to_json(const std::string& title, const std::vector<Entry>& entries, const std::string& key) {
  std::string s = "{\n" + title;
  s += fmt::format("  \"{}\": [\n", key);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    std::string host;
    for (size_t j = 0; j < e.host.size(); ++j) host += (j ? ", " : "") + json_string(e.host[j]);
    s += fmt::format("    {{\"name\": {}, \"bytes\": {}, \"count\": {}, \"host\": [{}]}}{}\n", json_string(e.name),
                     json_string(e.bytes), e.host.size(), host, i + 1 < entries.size() ? "," : "");
  }
  return s + "  ]\n}\n";
}

// (name, bytes, count) of each entry line of a file to_json wrote.
struct Recorded {
  std::string name, bytes;
  size_t count;
};
std::vector<Recorded> read_counts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  static const std::regex kEntry(R"re(\{"name": "((?:[^"\\]|\\.)*)", "bytes": "([0-9a-f ]*)", "count": (\d+),)re");
  std::vector<Recorded> out;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kEntry)) out.push_back({m[1], m[2], std::stoul(m[3])});
  }
  return out;
}

// 0 when every count is as recorded.
int check(const std::vector<Entry>& now, const std::string& golden, const std::string& what) {
  std::vector<Recorded> recorded = read_counts(golden);
  if (recorded.size() != now.size()) {
    std::fprintf(stderr, "%s: %zu entries now, %zu in %s: regenerate it (tests/golden/regenerate.sh)\n",
                 what.c_str(), now.size(), recorded.size(), golden.c_str());
    return 1;
  }
  int changed = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    const Entry& e = now[i];
    const Recorded& r = recorded[i];
    if (r.bytes != e.bytes) {
      std::fprintf(stderr, "%s: entry %zu is '%s' now, '%s' in %s: regenerate it (tests/golden/regenerate.sh)\n",
                   what.c_str(), i, e.name.c_str(), r.name.c_str(), golden.c_str());
      return 1;
    }
    if (r.count == e.host.size()) continue;
    ++changed;
    std::fprintf(stderr, "%s: %s (%s): %zu host instructions, %zu recorded:\n", what.c_str(), e.name.c_str(),
                 e.bytes.c_str(), e.host.size(), r.count);
    for (const std::string& h : e.host) std::fprintf(stderr, "    %s\n", h.c_str());
  }
  if (changed) {
    std::fprintf(stderr, "%s: %d counts changed; if that is meant, regenerate %s with tests/golden/regenerate.sh\n",
                 what.c_str(), changed, golden.c_str());
    return 1;
  }
  std::printf("%s: %zu entries as recorded\n", what.c_str(), now.size());
  return 0;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

const Mode& find_mode(const std::string& name) {
  for (const Mode& m : kModes)
    if (name == m.name) return m;
  throw std::runtime_error("unknown mode '" + name + "'");
}

int usage() {
  std::fputs("usage: bt86_golden write|check CORPUS.bin MODE FILE.json\n"
             "       bt86_golden write-stubs|check-stubs FILE.json\n"
             "modes: flat checked cpl3 paging\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && (args[0] == "write-stubs" || args[0] == "check-stubs")) {
      std::vector<Entry> stubs = list_stubs();
      if (args[0] == "check-stubs") return check(stubs, args[1], "stubs");
      write_file(args[1], to_json("  \"what\": \"the stubs translated code enters, leaves and calls helpers "
                                  "through, along the path of a helper that returns\",\n",
                                  stubs, "stubs"));
      return 0;
    }
    if (args.size() != 4 || (args[0] != "write" && args[0] != "check")) return usage();
    const Mode& m = find_mode(args[2]);
    std::vector<Entry> entries = translate_corpus(read_file(args[1]), m);
    if (args[0] == "check") return check(entries, args[3], m.name);
    write_file(args[3], to_json(fmt::format("  \"mode\": \"{}\",\n  \"what\": \"{}\",\n  \"block_mode\": {},\n", m.name,
                                            m.what, m.bits),
                                entries, "instructions"));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bt86_golden: %s\n", e.what());
    return 2;
  }
}
