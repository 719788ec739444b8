#include "bt86/kvm/kvm_vm.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace bt86 {

namespace {
constexpr const char* kDevice = "/dev/kvm";
// Three pages that VMX needs for real mode without unrestricted guest (a
// TSS for vm86) plus its identity page table, above any RAM we configure
// (at most 3 GiB) and where QEMU puts them.
constexpr uint64_t kIdentityMapAddr = 0xFFFBC000, kTssAddr = 0xFFFBD000;

std::string errno_text() { return std::strerror(errno); }
}  // namespace

KvmVm::KvmVm() {
  sys_fd_ = ::open(kDevice, O_RDWR | O_CLOEXEC);
  if (sys_fd_ < 0) throw KvmError(fmt::format("cannot open {}: {}", kDevice, errno_text()));
  int version = ::ioctl(sys_fd_, KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    std::string why = version < 0 ? fmt::format("{} is not a KVM device (KVM_GET_API_VERSION: {})", kDevice, errno_text())
                                  : fmt::format("{} speaks KVM API version {}, expected {}", kDevice, version, KVM_API_VERSION);
    ::close(sys_fd_);
    throw KvmError(why);
  }
  vm_fd_ = ::ioctl(sys_fd_, KVM_CREATE_VM, 0);
  if (vm_fd_ < 0) {
    std::string why = errno_text();
    ::close(sys_fd_);
    throw KvmError(fmt::format("{} refuses to create a VM: {}", kDevice, why));
  }
  // Both are Intel-only needs; other implementations accept or lack them.
  if (extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
    uint64_t addr = kIdentityMapAddr;
    ::ioctl(vm_fd_, KVM_SET_IDENTITY_MAP_ADDR, &addr);
  }
  if (extension(KVM_CAP_SET_TSS_ADDR)) ::ioctl(vm_fd_, KVM_SET_TSS_ADDR, kTssAddr);
}

KvmVm::~KvmVm() {
  ::close(vm_fd_);
  ::close(sys_fd_);
}

int KvmVm::extension(long cap) const {
  int r = ::ioctl(vm_fd_, KVM_CHECK_EXTENSION, cap);
  return r < 0 ? 0 : r;
}

void KvmVm::set_memory_slot(uint32_t id, const MemorySlot& slot) {
  if (slot.read_only && slot.size && !extension(KVM_CAP_READONLY_MEM))
    throw KvmError(fmt::format("this KVM has no read-only memory (KVM_CAP_READONLY_MEM) for {:#x}-{:#x}", slot.gpa,
                               slot.gpa + slot.size - 1));
  kvm_userspace_memory_region region{};
  region.slot = id;
  region.flags = slot.read_only ? KVM_MEM_READONLY : 0;
  region.guest_phys_addr = slot.gpa;
  region.memory_size = slot.size;
  region.userspace_addr = reinterpret_cast<uint64_t>(slot.host);
  if (::ioctl(vm_fd_, KVM_SET_USER_MEMORY_REGION, &region) < 0)
    throw KvmError(fmt::format("KVM_SET_USER_MEMORY_REGION {:#x}-{:#x}: {}", slot.gpa, slot.gpa + slot.size - 1,
                               errno_text()));
}

KvmVcpu::KvmVcpu(KvmVm& vm) : vm_(vm) {
  fd_ = ::ioctl(vm.fd(), KVM_CREATE_VCPU, 0);
  if (fd_ < 0) throw KvmError(fmt::format("KVM_CREATE_VCPU: {}", errno_text()));
  int size = ::ioctl(vm.system_fd(), KVM_GET_VCPU_MMAP_SIZE, 0);
  void* p = size > 0 ? ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0) : MAP_FAILED;
  if (p == MAP_FAILED) {
    std::string why = size > 0 ? errno_text() : "KVM_GET_VCPU_MMAP_SIZE failed";
    ::close(fd_);
    throw KvmError(fmt::format("cannot map the vCPU's kvm_run area: {}", why));
  }
  run_ = static_cast<kvm_run*>(p);
  run_size_ = static_cast<size_t>(size);
  has_xsave_ = vm.extension(KVM_CAP_XSAVE) > 0;
  has_tsc_attr_ = tsc_offset_attr_works();
}

// Some KVMs (kvm_pvm) list the TSC-offset attribute but ignore writes to it:
// only trust it if a value written reads back.
bool KvmVcpu::tsc_offset_attr_works() const {
  uint64_t offset = 0;
  kvm_device_attr attr{};
  attr.group = KVM_VCPU_TSC_CTRL;
  attr.attr = KVM_VCPU_TSC_OFFSET;
  attr.addr = reinterpret_cast<uint64_t>(&offset);
  if (::ioctl(fd_, KVM_HAS_DEVICE_ATTR, &attr) != 0 || ::ioctl(fd_, KVM_GET_DEVICE_ATTR, &attr) != 0) return false;
  const uint64_t probe = offset - 0x1000000;
  offset = probe;
  if (::ioctl(fd_, KVM_SET_DEVICE_ATTR, &attr) != 0) return false;
  offset = 0;
  return ::ioctl(fd_, KVM_GET_DEVICE_ATTR, &attr) == 0 && offset == probe;
}

KvmVcpu::~KvmVcpu() {
  ::munmap(run_, run_size_);
  ::close(fd_);
}

void KvmVcpu::ioctl_or_throw(unsigned long request, void* arg, const char* what) const {
  if (::ioctl(fd_, request, arg) < 0) throw KvmError(fmt::format("{}: {}", what, errno_text()));
}

}  // namespace bt86
