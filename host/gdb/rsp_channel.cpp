#include "rsp_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fmt/format.h>
#include <system_error>

namespace bt86::gdb {

namespace {
constexpr char kInterruptByte = 0x03;

uint8_t checksum(std::string_view data) {
  uint8_t sum = 0;
  for (char c : data) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  return sum;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}
}  // namespace

Listener::Listener(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd_, 1) < 0) {
    int err = errno;
    ::close(fd_);
    throw std::system_error(err, std::generic_category(), fmt::format("tcp port {}", port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

Listener::~Listener() { ::close(fd_); }

int Listener::accept_one() const {
  for (;;) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0 && errno == EINTR) continue;
    if (fd >= 0) {
      int one = 1;  // small packets, one at a time: no Nagle delay
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
  }
}

RspChannel::RspChannel(int fd) : fd_(fd) {}
RspChannel::~RspChannel() { ::close(fd_); }

bool RspChannel::fill() {
  if (pos_ == buffer_.size()) buffer_.clear(), pos_ = 0;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::optional<char> RspChannel::next_byte() {
  if (pos_ == buffer_.size() && !fill()) return std::nullopt;
  return buffer_[pos_++];
}

std::optional<std::string> RspChannel::receive() {
  for (;;) {
    std::optional<char> c;
    while ((c = next_byte()) && *c != '$') {}  // acks, Ctrl-C, noise
    if (!c) return std::nullopt;
    std::string raw;  // as sent: the checksum covers the escapes
    while ((c = next_byte()) && *c != '#') raw += *c;
    std::optional<char> hi = next_byte(), lo = hi ? next_byte() : std::nullopt;
    if (!c || !lo) return std::nullopt;
    std::optional<uint64_t> sum = parse_hex(std::string{*hi, *lo});
    if (!sum || *sum != checksum(raw)) {
      if (!write_all(fd_, "-")) return std::nullopt;
      continue;
    }
    if (!write_all(fd_, "+")) return std::nullopt;
    std::string data;
    for (size_t i = 0; i < raw.size(); ++i) data += raw[i] == '}' && i + 1 < raw.size() ? raw[++i] ^ 0x20 : raw[i];
    return data;
  }
}

bool RspChannel::send(std::string_view data) {
  std::string escaped;
  for (char c : data) {
    if (c == '$' || c == '#' || c == '}' || c == '*') escaped += '}', escaped += static_cast<char>(c ^ 0x20);
    else escaped += c;
  }
  const std::string packet = fmt::format("${}#{:02x}", escaped, checksum(escaped));
  for (;;) {
    if (!write_all(fd_, packet)) return false;
    std::optional<char> c;
    while ((c = next_byte()) && *c != '+' && *c != '-') {}
    if (!c) return false;
    if (*c == '+') return true;
  }
}

RspChannel::Input RspChannel::poll_input() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return Input::kNothing;
  if (!fill()) return Input::kClosed;
  // While the guest runs gdb sends nothing but Ctrl-C: take it out.
  Input result = Input::kNothing;
  for (size_t i = pos_; i < buffer_.size();)
    if (buffer_[i] == kInterruptByte) buffer_.erase(i, 1), result = Input::kInterrupt;
    else ++i;
  return result;
}

std::string to_hex(std::string_view bytes) {
  std::string s;
  s.reserve(bytes.size() * 2);
  for (char c : bytes) s += fmt::format("{:02x}", static_cast<uint8_t>(c));
  return s;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    std::optional<uint64_t> b = parse_hex(hex.substr(i, 2));
    if (!b) return std::nullopt;
    bytes += static_cast<char>(*b);
  }
  return bytes;
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace bt86::gdb
