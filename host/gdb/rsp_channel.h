// gdb's remote serial protocol on a TCP connection: packets ($data#xx with
// an acknowledgment each way, '}' escapes) and the Ctrl-C byte (0x03) gdb
// sends, outside any packet, to stop a running target.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bt86::gdb {

// A listening TCP socket on the loopback interface, port 0: any free one.
// Throws std::system_error.
class Listener {
public:
  explicit Listener(uint16_t port);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  // The next connection (blocks); -1 on failure.
  int accept_one() const;

private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class RspChannel {
public:
  explicit RspChannel(int fd);  // takes the connected socket
  ~RspChannel();
  RspChannel(const RspChannel&) = delete;
  RspChannel& operator=(const RspChannel&) = delete;
  int fd() const { return fd_; }

  // The next packet's data, acknowledged (a corrupt one is asked for again);
  // nullopt when gdb has gone. Ctrl-C bytes between packets are dropped.
  std::optional<std::string> receive();
  // Sends one packet and waits for gdb's acknowledgment (sending it again
  // when asked); false when gdb has gone.
  bool send(std::string_view data);

  // While the guest runs: takes what gdb sent without blocking. kInterrupt
  // when that held Ctrl-C; kClosed when gdb has gone.
  enum class Input { kNothing, kInterrupt, kClosed };
  Input poll_input();

private:
  // Reads more into buffer_ (blocks); false at the end of the connection.
  bool fill();
  std::optional<char> next_byte();

  int fd_;
  std::string buffer_;
  size_t pos_ = 0;
};

// Helpers of the protocol's text encodings.
std::string to_hex(std::string_view bytes);
// Nullopt for anything that is not an even number of hex digits.
std::optional<std::string> from_hex(std::string_view hex);
// A hex number ("1f"); nullopt when not one.
std::optional<uint64_t> parse_hex(std::string_view s);

}  // namespace bt86::gdb
