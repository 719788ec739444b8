// --display terminal: a thread that shows the VGA's text screen on the
// user's terminal, a frame every `period` (30 per second by default) and
// only what changed (AnsiRenderer). It runs beside the vCPU, never in its
// way: translated code writes the text buffer as plain memory and nothing
// exits for the display's sake.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "bt86/devices/vga_text.h"
#include "bt86/host/text_render.h"

namespace bt86 {

class TextDisplay {
public:
  using Snapshot = std::function<TextScreen()>;
  // snapshot: the screen now (called on the display thread); fd: where the
  // escape sequences go.
  TextDisplay(Snapshot snapshot, int fd, std::chrono::milliseconds period = std::chrono::milliseconds(33));
  // Draws the last frame, leaves the terminal usable, stops the thread.
  ~TextDisplay();
  TextDisplay(const TextDisplay&) = delete;
  TextDisplay& operator=(const TextDisplay&) = delete;

private:
  void loop();
  void draw();
  void write_all(const std::string& bytes) const;

  Snapshot snapshot_;
  int fd_;
  std::chrono::milliseconds period_;
  AnsiRenderer renderer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace bt86
