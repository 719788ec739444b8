#include "bt86/gdb/gdb_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <thread>

#include "rsp_channel.h"
#include "session.h"

namespace bt86::gdb {

namespace {

void say(const std::string& s) { std::fprintf(stderr, "bt86: gdb: %s\n", s.c_str()); }

// While the guest runs: watches gdb's connection for Ctrl-C (or its end),
// or, with none, the listener for a gdb that connects; either stops the
// run (Vcpu::interrupt).
class Watcher {
public:
  Watcher(Vcpu& vcpu, RspChannel* client, const Listener& listener) {
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this, &vcpu, client, &listener] {
      pollfd fds[2] = {{client ? client->fd() : listener.fd(), POLLIN, 0}, {wake_, POLLIN, 0}};
      for (;;) {
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        if (!client) {
          accepted = listener.accept_one();
          vcpu.interrupt();  // a new gdb finds the guest stopped
          return;
        }
        RspChannel::Input in = client->poll_input();
        if (in == RspChannel::Input::kNothing) continue;
        if (in == RspChannel::Input::kClosed) hung_up = true;
        vcpu.interrupt();  // Ctrl-C; or gdb went away: run on without its stops
        if (hung_up) return;
      }
    });
  }
  ~Watcher() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
    thread_.join();
    ::close(wake_);
  }
  int accepted = -1;      // a new connection
  bool hung_up = false;   // gdb closed its connection

private:
  int wake_;
  std::thread thread_;
};

}  // namespace

GdbServer::GdbServer(uint16_t port) : listener_(std::make_unique<Listener>(port)) {}
GdbServer::~GdbServer() = default;
uint16_t GdbServer::port() const { return listener_->port(); }

RunOutcome GdbServer::run(Vcpu& vcpu, const GuestContext& context, double timeout_seconds, bool start_stopped) {
  std::unique_ptr<RspChannel> client;
  std::unique_ptr<Session> session;
  auto connect = [&](int fd) {
    client = std::make_unique<RspChannel>(fd);
    session = std::make_unique<Session>(*client, vcpu, context);
    say("connected");
  };
  auto disconnect = [&](const char* why) {
    session.reset();
    client.reset();
    say(why);
  };
  if (start_stopped) {
    say(fmt::format("waiting for gdb on tcp::{} (the guest starts stopped)", port()));
    int fd = listener_->accept_one();
    if (fd < 0) return {exit_status::kGuestDied, "gdb: cannot accept a connection"};
    connect(fd);
  }
  bool stopped = start_stopped;
  double ran_seconds = 0;
  for (;;) {
    bool step = false;
    if (stopped && session) {
      switch (session->serve()) {
        case Session::Action::kStep: step = true; break;
        case Session::Action::kContinue: break;
        case Session::Action::kKill: return {0, "gdb killed the guest"};
        case Session::Action::kDetach: disconnect("detached: the guest runs on"); break;
        case Session::Action::kHangup: disconnect("gdb hung up: the guest runs on"); break;
      }
    }
    const DebugRequest request = session ? session->request(step) : DebugRequest{};
    RunLimits limits;
    if (timeout_seconds > 0) limits.timeout_seconds = std::max(timeout_seconds - ran_seconds, 1e-3);
    limits.debug = session ? &request : nullptr;
    RunOutcome outcome;
    int accepted = -1;
    bool hung_up = false;
    {
      Watcher watcher(vcpu, client.get(), *listener_);
      const auto start = std::chrono::steady_clock::now();
      outcome = vcpu.run(limits);
      ran_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // (the watcher stops here, before the connection is used again)
      accepted = watcher.accepted;
      hung_up = watcher.hung_up;
    }
    if (hung_up) disconnect("gdb hung up: the guest runs on");
    if (outcome.exit_status != exit_status::kDebugStop) {
      if (session) session->finished(outcome.exit_status);
      if (accepted >= 0) ::close(accepted);
      return outcome;
    }
    if (accepted >= 0) {  // stopped for a new gdb, which asks why with '?'
      connect(accepted);
      stopped = true;
      continue;
    }
    stopped = session && session->report(outcome.debug_stop);
    if (session && !stopped) disconnect("gdb hung up: the guest runs on");
  }
}

}  // namespace bt86::gdb
