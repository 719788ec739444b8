// bt86: run a 32-bit x86 guest as binary-translated code, or on KVM.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "bt86/gdb/gdb_server.h"
#include "bt86/host/backends.h"
#include "bt86/devices/disk_image.h"
#include "bt86/host/bios.h"
#include "bt86/host/console.h"
#include "bt86/host/linux_boot.h"
#include "bt86/host/machine.h"
#include "bt86/host/multiboot.h"
#include "bt86/kvm/kvm_gate.h"
#include "bt86/kvm/kvm_probe.h"
#include "bt86/kvm/kvm_vm.h"
#include "bt86/kvm/vfio_passthrough.h"
#include "bt86/vcpu/tracer.h"
#include "bt86/suite/suite.h"
#include "options.h"

namespace {

constexpr int kUsageError = 2;

void say(const std::string& s) { std::fprintf(stderr, "bt86: %s\n", s.c_str()); }

// Runs the loaded machine on its vCPU (one backend, or two taking turns),
// under gdb's control with --gdb.
bt86::RunOutcome run_vcpu(bt86::Vcpu& cpu, const bt86::GuestContext& context, const bt86::RunOptions& o,
                          bt86::gdb::GdbServer* gdb, double timeout, bool first_boot, const bt86::PostPort& post) {
  bt86::RunOutcome outcome = gdb ? gdb->run(cpu, context, timeout, o.wait_gdb && first_boot) : cpu.run(timeout);
  if (std::string summary = cpu.summary(); !summary.empty()) say(summary);
  if (!o.stats_file.empty()) {
    std::ofstream out(o.stats_file);
    bt86::Stats stats = cpu.stats();
    if (post.writes()) stats.last_post_code = post.last_code();
    out << stats.to_json(cpu.name());
    if (!out) say(fmt::format("cannot write statistics to '{}'", o.stats_file));
  }
  return outcome;
}

// The kernel file's content picks the boot protocol: Linux or Multiboot.
// The IDE controller is left as a BIOS would leave it.
void load_kernel(bt86::Machine& machine, const bt86::RunOptions& o) {
  machine.ide.configure_as_firmware_would();
  if (bt86::is_bzimage(o.kernel)) {
    bt86::load_linux(machine, o.kernel, o.initrd, o.append);
    return;
  }
  // A Multiboot kernel's --initrd is its module list, as with QEMU's -initrd.
  bt86::load_multiboot(machine, o.kernel, o.append, bt86::split_module_list(o.initrd));
}

// What every boot of a run shares.
struct BootTools {
  bt86::Terminal& terminal;
  bt86::Tracer& tracer;
  bt86::gdb::GdbServer* gdb;  // null without --gdb
  bt86::BlockBackend* disk;   // the drives' images, null when not given
  bt86::BlockBackend* cdrom;
};

// One boot of a fresh machine on the chosen backend(s); nullopt when it
// cannot start (after saying why).
std::optional<bt86::RunOutcome> boot(const bt86::RunOptions& o, const BootTools& tools, double timeout,
                                     bool first_boot, bool& guest_reset) {
  bt86::Tracer& tracer = tools.tracer;
  const bt86::ClockMode clock = o.clock == "virtual" ? bt86::ClockMode::kVirtual
                                : o.clock == "wall"  ? bt86::ClockMode::kWall
                                                     : bt86::ClockMode::kHost;
  bt86::MachineConfig config{o.memory_bytes, {}, clock};
  config.disk = tools.disk;
  config.cdrom = tools.cdrom;
  config.boot_cdrom_first = o.boot_cdrom;
  bt86::Machine machine(config);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> debugcon(nullptr, std::fclose);
  if (!o.debugcon.empty()) {
    debugcon.reset(std::fopen(o.debugcon.c_str(), first_boot ? "w" : "a"));
    if (!debugcon) {
      say(fmt::format("--debugcon {}: {}", o.debugcon, std::strerror(errno)));
      return std::nullopt;
    }
    machine.debugcon.set_output([f = debugcon.get()](uint8_t b) { std::fputc(b, f); });
  }
  std::unique_ptr<bt86::BiosFirmware> bios;
  try {
    if (o.bios.empty()) load_kernel(machine, o);
    else bios = std::make_unique<bt86::BiosFirmware>(machine, o.bios);
  } catch (const bt86::LoadError& e) {
    say(e.what());
    return std::nullopt;
  }
  bt86::GuestContext context{machine.cpu, machine.ram, machine.io, machine.mmio, machine.control,
                             bt86::machine_platform(machine, &tools.terminal)};
  context.platform.tracer = &tracer;
  tracer.set_clock(&machine.clock());
  if (tracer.on(bt86::trace::kIo)) {
    machine.io.set_observer([&tracer](bool w, uint64_t a, unsigned n, uint32_t v) { tracer.io(true, w, a, n, v); });
    machine.mmio.set_observer([&tracer](bool w, uint64_t a, unsigned n, uint32_t v) { tracer.io(false, w, a, n, v); });
  }
  const bt86::BackendChoice choice{o.backend, o.switch_instructions || o.switch_seconds > 0,
                                   {o.switch_instructions, o.switch_seconds}};
  // Refused (exit 2, with the reason) before the guest starts.
  std::unique_ptr<bt86::VfioPassthrough> passthrough;
  if (o.backend == "kvm" && !choice.switching && !o.passthrough.empty()) {
    try {
      passthrough = std::make_unique<bt86::VfioPassthrough>(o.passthrough, machine.ram, machine.mmio, machine.io);
      say("passthrough: " + passthrough->describe());
    } catch (const bt86::VfioError& e) {
      say(fmt::format("--passthrough {}: cannot assign the device: {}", o.passthrough, e.what()));
      return std::nullopt;
    }
  }
  std::optional<bt86::RunOutcome> outcome;
  try {
    std::unique_ptr<bt86::Vcpu> cpu = bt86::make_vcpu(choice, context);
    outcome = run_vcpu(*cpu, context, o, tools.gdb, timeout, first_boot, machine.post);
    // When no other boot follows, the vCPU (bt86's translations) is left to
    // the process exit: freeing a full translation cache block by block took
    // seconds, past --timeout (hostile.rep.endless.newcode).
    if (!(machine.control.reset && o.restart_on_reset)) (void)cpu.release();
  } catch (const bt86::KvmError& e) {
    say(fmt::format("{}: {}", choice.switching ? "--switch-every needs KVM, which cannot run here"
                                                : "the kvm backend cannot run here",
                    e.what()));
    return std::nullopt;
  }
  guest_reset = machine.control.reset;
  // A firmware's progress codes (port 0x80): the last one says how far it
  // got. (Kernels write the port as an I/O delay: only --bios boots say it.)
  if (outcome && bios && machine.post.writes()) say(fmt::format("last POST code {:#04x}", machine.post.last_code()));
  return outcome;
}

// The drives' images, opened once for every boot of the run (a snapshot's
// overlay lives as long as the run, across guest reboots).
struct Drives {
  std::unique_ptr<bt86::DiskImage> disk, cdrom;
};
std::optional<Drives> open_drives(const bt86::RunOptions& o) {
  Drives d;
  try {
    if (!o.disk.empty()) d.disk = std::make_unique<bt86::DiskImage>(o.disk, bt86::DiskImage::Media::kDisk, o.snapshot);
    if (!o.cdrom.empty())
      d.cdrom = std::make_unique<bt86::DiskImage>(o.cdrom, bt86::DiskImage::Media::kCdrom, false);
  } catch (const bt86::DiskImageError& e) {
    say(e.what());
    return std::nullopt;
  }
  if (d.disk && d.disk->read_only())
    say(fmt::format("disk image '{}' is read-only ({}): the guest's writes to it will fail", o.disk,
                    d.disk->read_only_reason()));
  return d;
}

int run(const bt86::RunOptions& given) {
  bt86::RunOptions o = given;
  // Without a kernel, a firmware boots the machine: SeaBIOS unless --bios says otherwise.
  if (o.kernel.empty() && o.bios.empty()) {
    o.bios = bt86::find_seabios();
    if (o.bios.empty()) {
      say(fmt::format("--disk and --cdrom boot through SeaBIOS, which is not installed ({}; Debian package "
                      "seabios); or give --bios FILE or --kernel FILE",
                      bt86::kSeabiosPaths));
      return kUsageError;
    }
  }
  std::optional<Drives> drives = open_drives(o);
  if (!drives) return kUsageError;
  // The trace (and the ring of the last interrupts, kept even without
  // --trace) covers every boot.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> trace_file(nullptr, std::fclose);
  if (!o.trace_file.empty()) {
    trace_file.reset(std::fopen(o.trace_file.c_str(), "w"));
    if (!trace_file) {
      say(fmt::format("--trace-file {}: {}", o.trace_file, std::strerror(errno)));
      return kUsageError;
    }
  }
  bt86::Tracer tracer(o.trace_events, trace_file ? trace_file.get() : stderr);
  // perf's convention for code generated at run time: perf report reads
  // the names of the addresses it sampled from /tmp/perf-PID.map.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> perf_map(nullptr, std::fclose);
  if (o.perf_map) {
    const std::string path = fmt::format("/tmp/perf-{}.map", getpid());
    perf_map.reset(std::fopen(path.c_str(), "w"));
    if (!perf_map) {
      say(fmt::format("--perf-map: {}: {}", path, std::strerror(errno)));
      return kUsageError;
    }
    tracer.set_perf_map(perf_map.get());
  }
  std::unique_ptr<bt86::gdb::GdbServer> gdb;
  if (o.gdb_port >= 0) {
    try {
      gdb = std::make_unique<bt86::gdb::GdbServer>(static_cast<uint16_t>(o.gdb_port));
    } catch (const std::system_error& e) {
      say(fmt::format("--gdb: cannot listen: {}", e.what()));
      return kUsageError;
    }
    say(fmt::format("gdb: listening on tcp::{}", gdb->port()));
  }
  // The terminal is COM1's input (raw mode only when stdin is a terminal);
  // it stays across restarts.
  bt86::Terminal terminal;
  const auto start = std::chrono::steady_clock::now();
  for (unsigned restarts = 0;;) {
    double timeout = o.timeout_seconds;  // 0: none
    if (restarts && o.timeout_seconds > 0) {
      double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      timeout = std::max(o.timeout_seconds - spent, 1e-3);
    }
    bool guest_reset = false;
    std::optional<bt86::RunOutcome> outcome =
        boot(o, BootTools{terminal, tracer, gdb.get(), drives->disk.get(), drives->cdrom.get()}, timeout, restarts == 0,
             guest_reset);
    if (!outcome) return kUsageError;
    if (guest_reset && o.restart_on_reset) {
      say("the guest reset the machine: restarting it (--on-reset restart)");
      ++restarts;
      continue;
    }
    // The timeout covers every boot; say it as the user gave it.
    if (restarts && outcome->exit_status == bt86::exit_status::kTimeout)
      outcome->message = fmt::format("timeout after {} s, {} restarts", o.timeout_seconds, restarts);
    say(fmt::format("{} (exit status {})", outcome->message, outcome->exit_status));
    return outcome->exit_status;
  }
}

constexpr int kSkipped = 77;  // ctest's SKIP_RETURN_CODE

// bt86 kvm-probe [--needs P1,P2,...] [--oracle]: the report, then whether a
// test needing those probes (and, with --oracle, KVM as a judge of
// instruction semantics) can run here: 0, or 77 with the reason.
int kvm_probe(int argc, char** argv) {
  std::string needs;
  bool oracle = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(bt86::usage().c_str(), stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--needs") == 0 && i + 1 < argc) needs = argv[++i];
    else if (std::strcmp(argv[i], "--oracle") == 0) oracle = true;
    else {
      say(fmt::format("kvm-probe: unknown argument '{}'\n{}", argv[i], bt86::usage()));
      return kUsageError;
    }
  }
  bt86::KvmCapabilities caps = bt86::probe_kvm();
  std::fputs(bt86::format_probe_report(caps).c_str(), stdout);
  const bool asked = argc > 2;
  if (!asked) return caps.usable ? 0 : kUsageError;
  std::string why = bt86::kvm_skip_reason(caps, bt86::split_probe_names(needs));
  if (why.empty() && oracle) why = bt86::kvm_not_an_oracle(caps);
  if (why.empty()) return 0;
  std::printf("SKIPPED: %s\n", why.c_str());
  return kSkipped;
}

// bt86 suite ...: runs a regression suite of guests, each as a child bt86
// (this executable).
int suite(int argc, char** argv) {
  std::string error;
  auto options = bt86::suite::parse_suite_options(argc - 2, argv + 2, error);
  if (!options) {
    say(error + "\n" + bt86::suite::suite_usage());
    return kUsageError;
  }
  if (options->help) {
    std::fputs(bt86::suite::suite_usage().c_str(), stdout);
    return 0;
  }
  std::error_code ec;
  if (options->bt86.empty()) options->bt86 = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    say(fmt::format("suite: cannot find this executable (/proc/self/exe): {}", ec.message()));
    return kUsageError;
  }
  return bt86::suite::run_suite(*options);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(bt86::usage().c_str(), stderr);
    return kUsageError;
  }
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(bt86::usage().c_str(), stdout);
    return 0;
  }
  if (command == "--version" || command == "-V") {
    std::printf("bt86 %s\n", BT86_VERSION);
    return 0;
  }
  try {
    if (command == "kvm-probe") return kvm_probe(argc, argv);
    if (command == "suite") return suite(argc, argv);
    if (command != "run") {
      say(fmt::format("unknown command '{}'\n{}", argv[1], bt86::usage()));
      return kUsageError;
    }
    std::string error;
    auto options = bt86::parse_run_options(argc - 2, argv + 2, error);
    if (!options) {
      say(error + "\n" + bt86::usage());
      return kUsageError;
    }
    if (options->help) {
      std::fputs(bt86::usage().c_str(), stdout);
      return 0;
    }
    return run(*options);
  } catch (const std::exception& e) {
    say(fmt::format("error: {}", e.what()));
    return kUsageError;
  }
}
