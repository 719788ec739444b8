#include "input_waker.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <system_error>

namespace bt86 {

InputWaker::InputWaker(std::function<void()> wake) : wake_(std::move(wake)) {
  event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread([this] { loop(); });
}

InputWaker::~InputWaker() {
  stop_ = true;
  notify();
  thread_.join();
  close(event_fd_);
}

void InputWaker::notify() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(event_fd_, &one, sizeof one);
}

void InputWaker::rearm_input(int fd) {
  bool changed = input_fd_.exchange(fd) != fd;
  if (!input_armed_.exchange(true) || changed) notify();
}

void InputWaker::loop() {
  while (!stop_) {
    int input = input_fd_;
    pollfd fds[2] = {{event_fd_, POLLIN, 0}, {input, POLLIN, 0}};
    nfds_t count = input >= 0 && input_armed_ ? 2 : 1;
    if (poll(fds, count, -1) < 0) continue;
    if (fds[0].revents & POLLIN) {
      uint64_t v;
      [[maybe_unused]] auto n = read(event_fd_, &v, sizeof v);
    }
    if (count == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      input_armed_ = false;  // until the vCPU has taken the input
      wake_();
    }
  }
}

}  // namespace bt86
