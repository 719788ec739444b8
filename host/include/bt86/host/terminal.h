// The user's terminal as the guest's serial line. On a TTY it switches
// stdin to raw mode (every key goes to the guest, Ctrl-C included) and
// always puts it back: on destruction, at exit(), and on the fatal signals
// whose default action would otherwise leave the shell raw. Input is read
// without blocking; Ctrl-A is the escape key, as in QEMU:
//   Ctrl-A x        quit (quit_requested() becomes true)
//   Ctrl-A s        write the screen dump (--screendump; the callback set)
//   Ctrl-A Ctrl-A   send one Ctrl-A to the guest
//   Ctrl-A h        print this list on stderr
// A pipe or file on stdin (a scripted session) works the same way, escape
// sequences included, and its end stops the reading.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace bt86 {

// The Ctrl-A escape handling on its own, a byte at a time.
class EscapeFilter {
public:
  static constexpr uint8_t kEscape = 0x01;  // Ctrl-A
  enum class Event { kNone, kQuit, kHelp, kScreendump };

  // Appends what the guest should receive for byte to out.
  Event feed(uint8_t byte, std::vector<uint8_t>& out) {
    if (!after_escape_) {
      if (byte == kEscape) after_escape_ = true;
      else out.push_back(byte);
      return Event::kNone;
    }
    after_escape_ = false;
    switch (byte) {
      case 'x':
      case 'X': return Event::kQuit;
      case 's':
      case 'S': return Event::kScreendump;
      case kEscape: out.push_back(kEscape); return Event::kNone;
      case 'h':
      case 'H':
      case '?': return Event::kHelp;
      default: return Event::kNone;  // an unknown escape is swallowed
    }
  }

private:
  bool after_escape_ = false;
};

class Terminal {
public:
  struct Options {
    int fd = STDIN_FILENO;
    bool raw = true;      // raw mode when fd is the foreground TTY
    bool escapes = true;  // interpret Ctrl-A sequences
  };
  Terminal() : Terminal(Options{}) {}
  // Throws std::system_error if raw mode is requested while another
  // Terminal holds it, or if the TTY refuses its settings.
  explicit Terminal(Options options);
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool is_tty() const { return tty_; }
  bool raw() const { return raw_; }

  // Readable (POLLIN) when input may be waiting; -1 once input has ended or
  // quit was requested (poll() ignores negative fds). Only worth waiting on
  // while the guest side can take bytes.
  int wait_fd() const { return eof_ || quit_ ? -1 : fd_; }
  // Up to max bytes for the guest, never blocking: buffered bytes first,
  // then whatever the fd has ready now.
  std::size_t read(uint8_t* buf, std::size_t max);
  // Bytes already taken from the fd but not yet returned by read().
  bool has_buffered() const { return !pending_.empty(); }
  bool quit_requested() const { return quit_; }
  // What Ctrl-A s does (called while reading input); none: nothing.
  void set_on_screendump(std::function<void()> f) { on_screendump_ = std::move(f); }
  bool at_eof() const { return eof_; }

  // Puts the TTY back as it was. Async-signal-safe: a fatal-fault path (the
  // engine's SIGSEGV handler before it dies) may call it.
  static void restore_tty() noexcept;

private:
  void fill();  // one non-blocking read from the fd through the escape filter

  int fd_;
  bool tty_ = false, raw_ = false, escapes_;
  bool eof_ = false, quit_ = false;
  EscapeFilter filter_;
  std::deque<uint8_t> pending_;
  std::function<void()> on_screendump_;
};

}  // namespace bt86
