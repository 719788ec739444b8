#include "bt86/suite/kut.h"

#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <regex>
#include <sstream>

#include "ini_reader.h"
#include "text.h"

namespace bt86::suite {

namespace {

namespace fs = std::filesystem;

// Tests that need what bt86 deliberately does not offer (yet): they run
// only on kvm.
struct Gap {
  const char* test;
  const char* why;
};
const Gap kBt86Gaps[] = {
    {"realmode",
     "its sti-inhibit check halts in real mode until the timer tick a PC BIOS leaves running (PIT IRQ0 through a "
     "BIOS handler in the IVT); bt86 boots Multiboot kernels without a BIOS (every other check of it passes on bt)"},
    {"s3", "needs an ACPI S3 suspend and the firmware's resume through the waking vector in real mode, which bt86 "
           "does not offer"},
    {"vmexit_vmcall",
     "needs a hypervisor's hypercall (vmcall/vmmcall): bt86 offers no VMX or SVM, so both are #UD, as on bare metal"},
    {"hypercall",
     "needs a hypervisor's hypercall (vmcall/vmmcall): bt86 offers no VMX or SVM, so both are #UD, as on bare metal"},
    {"pmu", "needs hardware event counting (accel = kvm): bt86's performance counters count no events"},
};

const std::string* value_of(const IniSection& s, std::string_view key) {
  for (const auto& [k, v] : s.keys)
    if (k == key) return &v.items.front();
  return nullptr;
}

bool has_word(const std::string& words, std::string_view word) {
  std::istringstream in(words);
  for (std::string w; in >> w;)
    if (w == word) return true;
  return false;
}

// "90", "90s", "5m", "1h" (unittests.cfg's timeouts, as timeout(1) takes them).
double parse_timeout(const std::string& s, const std::string& where) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  std::string_view unit(end, s.data() + s.size() - end);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (ec != std::errc() || !scale || !(v > 0)) throw SuiteError(fmt::format("{}: timeout '{}' is not a duration", where, s));
  return v * scale;
}

GuestEntry make_entry(const IniSection& s, const std::string& cfg_path, const std::string& dir,
                      const std::string& env_file) {
  const std::string where = fmt::format("{}:{}", cfg_path, s.line);
  const std::string* file = value_of(s, "file");
  if (!file) throw SuiteError(fmt::format("{}: test '{}' has no file", where, s.name));
  GuestEntry e;
  e.name = s.name;
  e.group = "kvm-unit-tests";
  e.origin = where;
  e.kernel = (fs::path(dir) / "x86" / *file).string();
  e.initrd = env_file;
  const std::string* args = value_of(s, "test_args");
  e.append = *file + (args && !args->empty() ? " " + *args : "");
  // QEMU's -m in MiB.
  static const std::regex memory_option(R"((^|\s)-m\s+(\d+)(\s|$))");
  std::smatch m;
  if (const std::string* params = value_of(s, "qemu_params"); params && std::regex_search(*params, m, memory_option))
    e.memory = m[2].str() + "M";
  const std::string* timeout = value_of(s, "timeout");
  e.timeout_seconds = timeout ? parse_timeout(*timeout, where) : 90;
  e.exit_status = 1;
  e.skip_status = 77;
  e.skip_says = "^SKIP: |not supported|not available|not enabled";
  e.reject = {"^SUMMARY: .*unexpected failures"};

  int smp = 1;
  if (const std::string* n = value_of(s, "smp")) std::from_chars(n->data(), n->data() + n->size(), smp);
  const std::string* accel = value_of(s, "accel");
  if (smp > 1) e.skip = fmt::format("needs {} CPUs; bt86 runs one", smp);
  else if (!fs::exists(e.kernel)) e.skip = fmt::format("x86/{} is not built for i386", *file);
  for (const Gap& gap : kBt86Gaps)
    if (s.name == gap.test) e.backends_why = gap.why;
  if (e.backends_why.empty() && accel && *accel == "kvm") e.backends_why = "runs only on KVM (accel = kvm)";
  if (!e.backends_why.empty()) e.backends = {"kvm"};
  return e;
}

}  // namespace

std::string kut_environment() { return "TARGET=bt86\nERRATA_FORCE=y\n"; }

std::vector<GuestEntry> parse_kut(std::string_view cfg, const std::string& cfg_path, const std::string& dir,
                                  const std::string& env_file) {
  std::vector<GuestEntry> entries;
  for (const IniSection& s : read_ini(cfg, cfg_path)) {
    if (s.name.empty()) continue;
    const std::string* arch = value_of(s, "arch");
    const std::string* groups = value_of(s, "groups");
    if ((arch && *arch != "i386") || (groups && has_word(*groups, "nodefault"))) continue;
    entries.push_back(make_entry(s, cfg_path, dir, env_file));
  }
  return entries;
}

std::vector<GuestEntry> read_kut(const std::string& dir, const std::string& env_file) {
  const std::string cfg_path = (fs::path(dir) / "x86" / "unittests.cfg").string();
  if (!fs::is_regular_file(cfg_path))
    throw SuiteError(fmt::format("--kut {}: no x86/unittests.cfg there (a kvm-unit-tests build)", dir));
  return parse_kut(read_text_file(cfg_path), cfg_path, dir, env_file);
}

}  // namespace bt86::suite
