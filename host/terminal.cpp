#include "bt86/host/terminal.h"

#include <poll.h>
#include <termios.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "bt86/vcpu/signal_entry.h"

namespace bt86 {

namespace {

// The one TTY in raw mode and its settings from before, kept where a signal
// handler or an atexit handler can reach them.
termios g_saved{};
int g_fd = -1;
volatile sig_atomic_t g_raw = 0;

// Signals whose default action ends the process. The engine's own fault
// signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL) are not touched: it owns them
// and calls Terminal::restore_tty() when it gives up.
constexpr int kFatalSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT, SIGPIPE};

void on_fatal_signal(int signo, siginfo_t*, void*) {
  Terminal::restore_tty();
  // SA_RESETHAND put the default action back; deliver the signal to it.
  raise(signo);
}

void restore_at_exit() { Terminal::restore_tty(); }

// Installed once per process, and only over default dispositions: a
// handler someone else chose stays theirs.
void install_guards() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::atexit(restore_at_exit);
  for (int signo : kFatalSignals) {
    struct sigaction old {};
    if (sigaction(signo, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
    install_signal_handler(signo, on_fatal_signal, SA_RESETHAND | SA_NODEFER);
  }
}

void help() {
  static const char kText[] =
      "\r\nbt86: Ctrl-A x quits, Ctrl-A s writes the screen dump (--screendump),\r\n"
      "      Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h shows this\r\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, kText, sizeof kText - 1);
}

constexpr std::size_t kMaxBuffered = 4096;  // stop reading ahead of a slow guest here

}  // namespace

void Terminal::restore_tty() noexcept {
  if (!g_raw) return;
  g_raw = 0;
  tcsetattr(g_fd, TCSANOW, &g_saved);
}

Terminal::Terminal(Options options) : fd_(options.fd), escapes_(options.escapes) {
  tty_ = isatty(fd_);
  if (!tty_) return;
  // Reading the TTY from a background job would stop us with SIGTTIN; such
  // a run gets no input rather than hanging.
  if (tcgetpgrp(fd_) != getpgrp()) {
    eof_ = true;
    return;
  }
  if (!options.raw) return;
  if (g_raw) throw std::system_error(EBUSY, std::generic_category(), "terminal already in raw mode");
  termios saved{};
  if (tcgetattr(fd_, &saved) != 0)
    throw std::system_error(errno, std::generic_category(), "tcgetattr");
  termios t = saved;
  // Input raw: no line editing, echo, signals, flow control or CR/NL
  // translation; 8-bit characters. Output processing stays on so the
  // host's own messages keep their line endings.
  t.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  g_saved = saved;
  g_fd = fd_;
  install_guards();
  g_raw = 1;
  if (tcsetattr(fd_, TCSANOW, &t) != 0) {
    int err = errno;
    g_raw = 0;
    throw std::system_error(err, std::generic_category(), "tcsetattr");
  }
  raw_ = true;
}

Terminal::~Terminal() {
  if (raw_) restore_tty();
}

void Terminal::fill() {
  if (eof_ || quit_ || pending_.size() >= kMaxBuffered) return;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return;  // nothing ready (or EINTR: try next time)
  // POLLHUP/POLLERR/POLLNVAL: the read below reports the end or the error.
  uint8_t chunk[256];
  ssize_t n = ::read(fd_, chunk, sizeof chunk);
  if (n == 0) {
    eof_ = true;
    return;
  }
  if (n < 0) {
    if (errno != EINTR && errno != EAGAIN) eof_ = true;
    return;
  }
  std::vector<uint8_t> out;
  for (ssize_t i = 0; i < n && !quit_; ++i) {
    if (!escapes_) {
      out.push_back(chunk[i]);
      continue;
    }
    switch (filter_.feed(chunk[i], out)) {
      case EscapeFilter::Event::kQuit: quit_ = true; break;
      case EscapeFilter::Event::kHelp: help(); break;
      case EscapeFilter::Event::kScreendump:
        if (on_screendump_) on_screendump_();
        break;
      case EscapeFilter::Event::kNone: break;
    }
  }
  pending_.insert(pending_.end(), out.begin(), out.end());
}

std::size_t Terminal::read(uint8_t* buf, std::size_t max) {
  if (pending_.size() < max) fill();
  std::size_t n = 0;
  while (n < max && !pending_.empty()) {
    buf[n++] = pending_.front();
    pending_.pop_front();
  }
  return n;
}

}  // namespace bt86
