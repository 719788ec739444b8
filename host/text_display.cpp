#include "bt86/host/text_display.h"

#include <unistd.h>

#include <cerrno>

namespace bt86 {

TextDisplay::TextDisplay(Snapshot snapshot, int fd, std::chrono::milliseconds period)
    : snapshot_(std::move(snapshot)), fd_(fd), period_(period), thread_([this] { loop(); }) {}

TextDisplay::~TextDisplay() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  draw();
  write_all(renderer_.finish());
}

void TextDisplay::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stop_; })) draw();
}

void TextDisplay::draw() { write_all(renderer_.render(snapshot_())); }

void TextDisplay::write_all(const std::string& bytes) const {
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the terminal went away: nothing more to show
    done += static_cast<size_t>(n);
  }
}

}  // namespace bt86
