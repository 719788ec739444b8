// Thin owners of the /dev/kvm, VM and vCPU file descriptors. Everything the
// KVM backend asks of the kernel goes through these, so a missing or
// refusing /dev/kvm surfaces as one KvmError with a message for the user.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "bt86/shadow/guest_ram.h"

namespace bt86 {

class KvmError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class KvmVm {
public:
  // Opens /dev/kvm and creates a VM; throws KvmError saying why it cannot.
  KvmVm();
  ~KvmVm();
  KvmVm(const KvmVm&) = delete;
  KvmVm& operator=(const KvmVm&) = delete;

  // KVM_SET_USER_MEMORY_REGION: slot `id` maps `size` bytes of host memory
  // at guest-physical `gpa` (size 0 deletes the slot). Writes to a
  // read-only slot exit as MMIO. Throws KvmError naming the range.
  struct MemorySlot {
    uint64_t gpa, size;
    const void* host;
    bool read_only;
  };
  void set_memory_slot(uint32_t id, const MemorySlot& slot);

  int system_fd() const { return sys_fd_; }
  int fd() const { return vm_fd_; }
  // KVM_CHECK_EXTENSION on the VM (0: absent).
  int extension(long cap) const;

private:
  int sys_fd_ = -1;
  int vm_fd_ = -1;
};

class KvmVcpu {
public:
  explicit KvmVcpu(KvmVm& vm);  // vCPU 0; throws KvmError
  ~KvmVcpu();
  KvmVcpu(const KvmVcpu&) = delete;
  KvmVcpu& operator=(const KvmVcpu&) = delete;

  int fd() const { return fd_; }
  kvm_run* run() const { return run_; }
  const KvmVm& vm() const { return vm_; }
  bool has_xsave() const { return has_xsave_; }
  bool has_tsc_offset_attr() const { return has_tsc_attr_; }

  // ioctl on the vCPU; throws KvmError naming `what` when it fails.
  void ioctl_or_throw(unsigned long request, void* arg, const char* what) const;

private:
  bool tsc_offset_attr_works() const;

  KvmVm& vm_;
  int fd_ = -1;
  kvm_run* run_ = nullptr;
  size_t run_size_ = 0;
  bool has_xsave_ = false;
  bool has_tsc_attr_ = false;
};

}  // namespace bt86
