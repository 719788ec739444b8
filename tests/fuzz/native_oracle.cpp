#include "native_oracle.h"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace bt86::fuzz {

namespace {

bool write_all(int fd, const void* p, size_t n) {
  for (size_t done = 0; done < n;) {
    ssize_t r = write(fd, static_cast<const char*>(p) + done, n - done);
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

bool read_all(int fd, void* p, size_t n) {
  for (size_t done = 0; done < n;) {
    ssize_t r = read(fd, static_cast<char*>(p) + done, n - done);
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

NativeOracle::NativeOracle(std::string path) : path_(std::move(path)) {
  signal(SIGPIPE, SIG_IGN);  // a dead helper shows as a failed write
  start();
}

NativeOracle::~NativeOracle() { stop(); }

void NativeOracle::start() {
  int in[2], out[2];
  if (pipe(in) || pipe(out)) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  for (int fd : {in[0], in[1], out[0], out[1]}) posix_spawn_file_actions_addclose(&actions, fd);
  char* argv[] = {path_.data(), nullptr};
  int err = posix_spawn(&pid_, path_.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  if (err) throw std::runtime_error(fmt::format("cannot start the native oracle '{}': {}", path_, strerror(err)));
}

void NativeOracle::stop() {
  if (to_child_ >= 0) close(to_child_);
  if (from_child_ >= 0) close(from_child_);
  to_child_ = from_child_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

Outcome NativeOracle::run(const Run& r) {
  auto req = std::make_unique<fuzz_request>();
  req->code_addr = r.code_addr;
  req->code_len = static_cast<uint32_t>(r.code->size());
  req->mode = r.mode;
  req->state = *r.state;
  std::memcpy(req->data, r.data->data(), FUZZ_DATA_SIZE);
  std::memcpy(req->code, r.code->data(), r.code->size());
  auto res = std::make_unique<fuzz_result>();
  if (!write_all(to_child_, req.get(), sizeof *req) || !read_all(from_child_, res.get(), sizeof *res)) {
    stop();
    start();
    Outcome o;
    o.vector = kStopped;
    o.note = "the native oracle died";
    return o;
  }
  Outcome o;
  o.vector = res->vector;
  o.error_code = res->error_code;
  o.state = res->state;
  o.data.assign(res->data, res->data + FUZZ_DATA_SIZE);
  // The final hlt is a #GP at CPL 3: that is the normal end.
  if (o.vector == 13 && o.state.eip == r.end_eip) {
    o.vector = FUZZ_END;
    o.error_code = 0;
  }
  // Real mode's exceptions push no error code (this side ran in 16-bit
  // protected mode, where #GP and #SS for a limit push 0).
  if (r.mode == FUZZ_MODE_REAL) o.error_code = 0;
  return o;
}

}  // namespace bt86::fuzz
