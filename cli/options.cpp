#include "options.h"

#include <charconv>
#include <fmt/format.h>
#include <string_view>

#include "bt86/vcpu/tracer.h"

namespace bt86 {

namespace {
// "256", "256M", "1G", "65536K": sizes in MiB unless suffixed, as QEMU's -m.
std::optional<uint64_t> parse_size(std::string_view s) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  std::string_view suffix(end, s.data() + s.size() - end);
  uint64_t unit = 1ull << 20;
  if (suffix == "K" || suffix == "k") unit = 1ull << 10;
  else if (suffix == "G" || suffix == "g") unit = 1ull << 30;
  else if (!suffix.empty() && suffix != "M" && suffix != "m") return std::nullopt;
  return value * unit;
}
// "20000" (guest instructions) or "5ms" / "0.5ms" (host time).
bool parse_switch_every(std::string_view s, RunOptions& o) {
  if (s.ends_with("ms")) {
    std::string number(s.substr(0, s.size() - 2));
    char* end = nullptr;
    double ms = std::strtod(number.c_str(), &end);
    if (number.empty() || *end || !(ms > 0)) return false;
    o.switch_seconds = ms / 1000;
    return true;
  }
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n == 0) return false;
  o.switch_instructions = n;
  return true;
}
}  // namespace

std::string usage() {
  return "usage: bt86 run --kernel FILE [--initrd FILE] [--append STR] [--memory SIZE]\n"
         "       bt86 run --disk FILE [--cdrom FILE] [--snapshot] [--boot c|d] [OPTIONS]\n"
         "       bt86 run --bios FILE [--debugcon FILE] [--memory SIZE] [OPTIONS]\n"
         "                [--backend bt|kvm] [--clock host|wall|virtual] [--on-reset exit|restart]\n"
         "                [--timeout SECONDS] [--stats FILE] [--switch-every N|Nms]\n"
         "                [--passthrough PCI-ADDRESS] [--trace EVENTS [--trace-file FILE]]\n"
         "                [--perf-map] [--gdb tcp::PORT | -s] [--wait-gdb | -S]\n"
         "       bt86 kvm-probe [--needs PROBE,...] [--oracle]\n"
         "       bt86 suite [OPTIONS] [DIR | MANIFEST]... [--kut KUT-DIR]   (bt86 suite --help)\n"
         "       bt86 --help | --version\n"
         "  --kernel FILE      kernel to boot: a Linux bzImage (\"HdrS\" at offset 0x202,\n"
         "                     booted with the 32-bit Linux boot protocol) or else a\n"
         "                     Multiboot v1 kernel (ELF or a.out kludge)\n"
         "  --initrd FILE      initial ramdisk for a Linux kernel; for a Multiboot kernel,\n"
         "                     its modules: 'FILE [ARGS],FILE [ARGS]...' (',,' is a comma),\n"
         "                     each string becoming that module's command line\n"
         "  --append STR       kernel command line\n"
         "  --bios FILE        boot a firmware image (64, 128, 192 or 256 KiB) instead of a\n"
         "                     kernel: mapped below 4 GiB, its last 128 KiB also below\n"
         "                     1 MiB (the 440FX's PAM registers make that copy RAM), the\n"
         "                     CPU starting in real mode at the reset vector F000:FFF0\n"
         "  --disk FILE        a raw disk image (512-byte sectors) as the IDE primary\n"
         "                     master, written by the guest unless the file is read-only;\n"
         "                     without --kernel or --bios, SeaBIOS (Debian's seabios,\n"
         "                     /usr/share/seabios) boots the machine from it\n"
         "  --cdrom FILE       an ISO image (2048-byte sectors, read-only) in an ATAPI\n"
         "                     CD-ROM drive, the IDE secondary master\n"
         "  --snapshot         the guest's disk writes go to a temporary overlay that is\n"
         "                     discarded at exit: the image file never changes\n"
         "  --boot c|d         boot from the disk (c, the default) or the CD-ROM (d) first\n"
         "  --debugcon FILE    where the guest's bytes to port 0xE9 go (default: stderr)\n"
         "  --memory SIZE      guest RAM, MiB or with K/M/G suffix (default 256M, 2M..3G)\n"
         "  --backend NAME     which CPU backend runs the guest: bt (binary translation,\n"
         "                     the default) or kvm (/dev/kvm, same machine and devices)\n"
         "  --clock MODE       host (devices and the TSC follow host time, less the time\n"
         "                     bt86 spends translating, which the guest gets back while\n"
         "                     it idles; the default), wall (host time exactly: for\n"
         "                     timing guest work from inside) or virtual (time\n"
         "                     advances with guest work: repeatable runs on bt)\n"
         "  --on-reset ACTION  when the guest resets the machine (i8042 or port 0x92):\n"
         "                     exit (status 0, the default) or restart (a fresh machine\n"
         "                     boots the same kernel again, as a PC would)\n"
         "  --timeout SECONDS  end the run after this long, restarts included (status 124)\n"
         "  --switch-every N   move the running guest between bt86 and KVM, starting on\n"
         "                     --backend's: after N guest instructions on bt86 (KVM,\n"
         "                     which counts none, until its next exit or as long in host\n"
         "                     time), or every N ms on each with 'Nms'\n"
         "  --passthrough ADDR assign the host PCI device ADDR (e.g. 0000:01:00.0) to\n"
         "                     the guest through VFIO; --backend kvm only\n"
         "  --stats FILE       write engine statistics as JSON to FILE\n"
         "  --trace EVENTS     write one line per event (guest time, EIP, CPL, details):\n"
         "                     int, io, cr, mode, exit, translate or all, comma-separated\n"
         "  --trace-file FILE  where --trace writes (default: stderr)\n"
         "  --perf-map         name translated code for perf report in /tmp/perf-PID.map:\n"
         "                     samples in it are charged to guest:START-END:cplN\n"
         "  --gdb tcp::PORT    serve gdb's remote protocol on PORT (0: any free port);\n"
         "                     -s is --gdb tcp::1234\n"
         "  --wait-gdb, -S     start the guest stopped until gdb continues it\n"
         "COM1 is the terminal. A guest write of v to port 0xF4 ends the run with\n"
         "status (v << 1) | 1; bad input exits with status 2.\n"
         "kvm-probe runs a tiny guest per CPU mode on /dev/kvm and says which work;\n"
         "it exits with status 0 when KVM is usable at all, 2 otherwise. With --needs\n"
         "(probe names) or --oracle (KVM runs guest code on the CPU, so it can judge\n"
         "instruction semantics) it exits with 0 when all of that works here, else\n"
         "with 77 (a test's skip) and the reason.\n";
}

std::optional<RunOptions> parse_run_options(int argc, char** argv, std::string& error) {
  RunOptions o;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        error = fmt::format("option {} needs a value", arg);
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    std::optional<std::string> v;
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (arg == "--kernel") { if (!(v = value())) return std::nullopt; o.kernel = *v; }
    else if (arg == "--bios") { if (!(v = value())) return std::nullopt; o.bios = *v; }
    else if (arg == "--disk") { if (!(v = value())) return std::nullopt; o.disk = *v; }
    else if (arg == "--cdrom") { if (!(v = value())) return std::nullopt; o.cdrom = *v; }
    else if (arg == "--snapshot") o.snapshot = true;
    else if (arg == "--boot") {
      if (!(v = value())) return std::nullopt;
      if (*v != "c" && *v != "d") {
        error = fmt::format("--boot {}: expected c (the disk) or d (the CD-ROM)", *v);
        return std::nullopt;
      }
      o.boot_cdrom = *v == "d";
    } else if (arg == "--debugcon") { if (!(v = value())) return std::nullopt; o.debugcon = *v; }
    else if (arg == "--initrd") { if (!(v = value())) return std::nullopt; o.initrd = *v; }
    else if (arg == "--append") { if (!(v = value())) return std::nullopt; o.append = *v; }
    else if (arg == "--stats") { if (!(v = value())) return std::nullopt; o.stats_file = *v; }
    else if (arg == "--clock") {
      if (!(v = value())) return std::nullopt;
      if (*v != "host" && *v != "wall" && *v != "virtual") {
        error = fmt::format("--clock {}: expected host, wall or virtual", *v);
        return std::nullopt;
      }
      o.clock = *v;
    } else if (arg == "--on-reset") {
      if (!(v = value())) return std::nullopt;
      if (*v != "exit" && *v != "restart") {
        error = fmt::format("--on-reset {}: expected exit or restart", *v);
        return std::nullopt;
      }
      o.restart_on_reset = *v == "restart";
    } else if (arg == "--backend") { if (!(v = value())) return std::nullopt; o.backend = *v; }
    else if (arg == "--passthrough") { if (!(v = value())) return std::nullopt; o.passthrough = *v; }
    else if (arg == "--trace") {
      if (!(v = value())) return std::nullopt;
      std::optional<uint32_t> events = parse_trace_events(*v, error);
      if (!events) return std::nullopt;
      o.trace_events = *events;
    } else if (arg == "--trace-file") { if (!(v = value())) return std::nullopt; o.trace_file = *v; }
    else if (arg == "--perf-map") o.perf_map = true;
    else if (arg == "-s") o.gdb_port = 1234;
    else if (arg == "-S" || arg == "--wait-gdb") o.wait_gdb = true;
    else if (arg == "--gdb") {
      if (!(v = value())) return std::nullopt;
      int port = -1;
      std::string_view spec = *v;
      if (spec.starts_with("tcp::")) {
        spec.remove_prefix(5);
        auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), port);
        if (ec != std::errc() || end != spec.data() + spec.size() || port > 65535) port = -1;
      }
      if (port < 0) {
        error = fmt::format("--gdb {}: expected tcp::PORT (a port number, 0 for any free one)", *v);
        return std::nullopt;
      }
      o.gdb_port = port;
    }
    else if (arg == "--switch-every") {
      if (!(v = value())) return std::nullopt;
      if (!parse_switch_every(*v, o)) {
        error = fmt::format("--switch-every {}: expected a number of guest instructions (20000) or of "
                            "milliseconds (5ms)", *v);
        return std::nullopt;
      }
    }
    else if (arg == "--memory") {
      if (!(v = value())) return std::nullopt;
      auto size = parse_size(*v);
      if (!size || *size < (2ull << 20) || *size > (3ull << 30)) {
        error = fmt::format("--memory {}: expected a size between 2M and 3G", *v);
        return std::nullopt;
      }
      o.memory_bytes = *size & ~0xFFFull;
    } else if (arg == "--timeout") {
      if (!(v = value())) return std::nullopt;
      char* end = nullptr;
      o.timeout_seconds = std::strtod(v->c_str(), &end);
      if (*end || o.timeout_seconds < 0) {
        error = fmt::format("--timeout {}: expected a number of seconds", *v);
        return std::nullopt;
      }
    } else {
      error = fmt::format("unknown option '{}'", arg);
      return std::nullopt;
    }
  }
  const bool drives = !o.disk.empty() || !o.cdrom.empty();
  if (!o.kernel.empty() && !o.bios.empty()) {
    error = "--kernel and --bios exclude each other: a firmware loads its own system";
    return std::nullopt;
  }
  if (o.kernel.empty() && o.bios.empty() && !drives) {
    error = "--kernel FILE is required (or --disk FILE, --cdrom FILE or --bios FILE)";
    return std::nullopt;
  }
  if (o.kernel.empty() && o.bios.empty() && (o.backend != "bt" || o.switch_instructions || o.switch_seconds > 0)) {
    error = "--disk and --cdrom boot through SeaBIOS, which runs on the bt backend only";
    return std::nullopt;
  }
  if ((o.snapshot || o.boot_cdrom) && !drives) {
    error = o.snapshot ? "--snapshot needs --disk FILE" : "--boot needs --disk or --cdrom";
    return std::nullopt;
  }
  if (o.backend != "bt" && o.backend != "kvm") {
    error = fmt::format("--backend {}: expected 'bt' or 'kvm'", o.backend);
    return std::nullopt;
  }
  if (!o.passthrough.empty() && o.backend != "kvm") {
    error = "--passthrough needs --backend kvm (bt86 cannot give a guest a host device)";
    return std::nullopt;
  }
  if (o.wait_gdb && o.gdb_port < 0) {
    error = "--wait-gdb (-S) needs --gdb tcp::PORT or -s";
    return std::nullopt;
  }
  if (o.gdb_port >= 0 && (o.switch_instructions || o.switch_seconds > 0)) {
    error = "--gdb and --switch-every do not go together (a debugger stops one backend)";
    return std::nullopt;
  }
  if (!o.trace_file.empty() && !o.trace_events) {
    error = "--trace-file needs --trace EVENTS";
    return std::nullopt;
  }
  if (!o.passthrough.empty() && (o.switch_instructions || o.switch_seconds > 0)) {
    error = "--passthrough and --switch-every do not go together (the device stays with KVM)";
    return std::nullopt;
  }
  return o;
}

}  // namespace bt86
