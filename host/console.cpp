#include "bt86/host/console.h"

#include <algorithm>

namespace bt86 {

Platform machine_platform(Machine& m, Terminal* terminal) {
  Platform p;
  p.interrupts = &m.lapic;
  p.apic = &m.lapic;
  p.events = &m.events;
  p.routing = &m.routing;
  p.ram_writes = &m.ram_writes;
  p.clock = &m.clock();
  p.virtual_clock = m.virtual_clock();
  p.apparent_clock = m.apparent_clock();
  p.cpu_state_moved = [&m](const CpuState* live) { m.tsc.follow(live); };
  if (!terminal) return p;
  p.input_fd = [terminal] { return terminal->wait_fd(); };
  // Only as many bytes as the receive FIFO takes: the rest waits in the
  // terminal (flow control instead of overruns).
  p.pump_input = [terminal, &m] {
    uint8_t buf[16];
    while (size_t room = m.com1.rx_room()) {
      size_t n = terminal->read(buf, std::min(room, sizeof buf));
      if (!n) break;
      for (size_t i = 0; i < n; ++i) m.com1.receive(buf[i]);
    }
  };
  p.wants_input = [&m] { return m.com1.rx_room() > 0; };
  p.quit_requested = [terminal] { return terminal->quit_requested(); };
  return p;
}

}  // namespace bt86
