// The other side of ident translation (design.md §3 "traps"): instructions
// with an implicit stack, implicit memory, I/O or privilege are expanded or
// sent to a helper, never copied, and the one ident case that needs special
// encoding (a high-byte register with a memory operand) gets its spill.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "bt86/translator/cpu_frame.h"
#include "host_code.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint32_t kEip = 0x00100000;

bool touches_rsp(const HostInsn& h) {
  for (unsigned i = 0; i < h.info.operand_count; ++i) {
    const ZydisDecodedOperand& op = h.ops[i];
    auto is_rsp = [](ZydisRegister r) {
      return r != ZYDIS_REGISTER_NONE &&
             ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r) == ZYDIS_REGISTER_RSP;
    };
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && is_rsp(op.reg.value)) return true;
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && (is_rsp(op.mem.base) || is_rsp(op.mem.index))) return true;
  }
  return false;
}

// The inline pushfd/popfd (at CPL 0) move RFLAGS through the host stack:
// pushfq/popfq and the push/pop of a scratch register that pairs with them.
bool rflags_transfer(const HostInsn& h) {
  ZydisMnemonic m = h.info.mnemonic;
  if (m == ZYDIS_MNEMONIC_PUSHFQ || m == ZYDIS_MNEMONIC_POPFQ) return true;
  if (m != ZYDIS_MNEMONIC_PUSH && m != ZYDIS_MNEMONIC_POP) return false;
  ZydisRegister r = h.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER ? h.ops[0].reg.value : ZYDIS_REGISTER_NONE;
  return r == ZYDIS_REGISTER_R10 || r == ZYDIS_REGISTER_R11;
}

struct Case {
  const char* text;
  std::vector<uint8_t> bytes;
};

}  // namespace

TEST_CASE("not ident: stack, string, I/O and system instructions are never copied", "[roundtrip]") {
  const Case cases[] = {
      {"push eax", {0x50}},
      {"push esp", {0x54}},
      {"pop ebx", {0x5B}},
      {"push dword [ebx+4]", {0xFF, 0x73, 0x04}},
      {"pop dword [esp+4]", {0x8F, 0x44, 0x24, 0x04}},
      {"push 0x12345678", {0x68, 0x78, 0x56, 0x34, 0x12}},
      {"push es", {0x06}},
      {"pushad", {0x60}},
      {"popad", {0x61}},
      {"pushfd", {0x9C}},
      {"popfd", {0x9D}},
      {"enter 8, 0", {0xC8, 0x08, 0x00, 0x00}},
      {"leave", {0xC9}},
      {"call rel32", {0xE8, 0x00, 0x01, 0x00, 0x00}},
      {"call eax", {0xFF, 0xD0}},
      {"call [ebx+4]", {0xFF, 0x53, 0x04}},
      {"ret", {0xC3}},
      {"ret 8", {0xC2, 0x08, 0x00}},
      {"jmp eax", {0xFF, 0xE0}},
      {"movsd", {0xA5}},
      {"rep movsd", {0xF3, 0xA5}},
      {"rep stosb", {0xF3, 0xAA}},
      {"lodsb", {0xAC}},
      {"repne scasb", {0xF2, 0xAE}},
      {"cmpsd", {0xA7}},
      {"xlatb", {0xD7}},
      {"in al, dx", {0xEC}},
      {"in eax, 0x60", {0xE5, 0x60}},
      {"out dx, al", {0xEE}},
      {"out 0xf4, al", {0xE6, 0xF4}},
      {"insb", {0x6C}},
      {"outsd", {0x6F}},
      {"cli", {0xFA}},
      {"sti", {0xFB}},
      {"hlt", {0xF4}},
      {"int 0x80", {0xCD, 0x80}},
      {"iretd", {0xCF}},
      {"lgdt [eax]", {0x0F, 0x01, 0x10}},
      {"sidt [eax]", {0x0F, 0x01, 0x08}},
      {"ltr ax", {0x0F, 0x00, 0xD8}},
      {"invlpg [eax]", {0x0F, 0x01, 0x38}},
      {"cpuid", {0x0F, 0xA2}},
      {"wrmsr", {0x0F, 0x30}},
      {"daa", {0x27}},
      {"aam", {0xD4, 0x0A}},
      {"into", {0xCE}},
      {"bound eax, [ebx]", {0x62, 0x03}},
      {"arpl ax, bx", {0x63, 0xD8}},
      {"les eax, [ebx]", {0xC4, 0x03}},
      {"jmp far 0x08:0x100000", {0xEA, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00}},
  };
  OneInsnTranslator tr;
  for (const Case& c : cases) {
    Translation t = tr.translate(c.bytes, kEip);
    INFO(c.text << "   guest: " << t.guest.text() << "\nhost block:\n" << t.listing);
    REQUIRE(t.guest.length() == c.bytes.size());
    for (const HostInsn& h : t.all) {
      // The host-stack uses allowed: calling the helper thunk, RFLAGS transfers.
      if (touches_rsp(h) && !rflags_transfer(h))
        CHECK((h.info.mnemonic == ZYDIS_MNEMONIC_CALL && h.branch_target() ==
               reinterpret_cast<uint64_t>(tr.helper_thunk())));
      // Control leaves through direct jumps to stubs or exits, never through a guest register.
      if (h.info.mnemonic == ZYDIS_MNEMONIC_JMP || h.info.mnemonic == ZYDIS_MNEMONIC_CALL)
        CHECK((h.branch_target() != 0 || h.ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY));
      else
        CHECK(h.info.mnemonic != t.guest.mnemonic());
    }
  }
}

TEST_CASE("not ident: rdtsc runs natively and adds the TSC offset, unless CR4.TSD makes it fault", "[roundtrip]") {
  const std::vector<uint8_t> rdtsc = {0x0F, 0x31};
  OneInsnTranslator tr;
  auto count = [](const Translation& t, ZydisMnemonic m) {
    return std::count_if(t.all.begin(), t.all.end(), [m](const HostInsn& h) { return h.info.mnemonic == m; });
  };
  auto helper_calls = [&](const Translation& t) {
    return std::count_if(t.all.begin(), t.all.end(), [&](const HostInsn& h) {
      return h.info.mnemonic == ZYDIS_MNEMONIC_CALL &&
             h.branch_target() == reinterpret_cast<uint64_t>(tr.helper_thunk());
    });
  };
  Translation native = tr.translate(rdtsc, kEip);
  INFO("host block:\n" << native.listing);
  CHECK(count(native, ZYDIS_MNEMONIC_RDTSC) == 1);
  CHECK(count(native, ZYDIS_MNEMONIC_LEA) == 1);  // + tsc_offset, flags untouched
  CHECK(count(native, ZYDIS_MNEMONIC_ADD) + count(native, ZYDIS_MNEMONIC_ADC) == 0);
  CHECK(helper_calls(native) == 0);

  Translation faulting = tr.translate(rdtsc, kEip, kFlatMode | 3u << mode::kCplShift | mode::kTscFaults);
  INFO("host block (CPL 3, CR4.TSD):\n" << faulting.listing);
  CHECK(count(faulting, ZYDIS_MNEMONIC_RDTSC) == 0);
  CHECK(helper_calls(faulting) == 1);
}

TEST_CASE("not ident: mov to and from control, debug and segment registers goes to a helper", "[roundtrip]") {
  const Case cases[] = {
      {"mov cr0, eax", {0x0F, 0x22, 0xC0}},
      {"mov dr7, eax", {0x0F, 0x23, 0xF8}},
      {"mov ds, ax", {0x8E, 0xD8}},
      {"mov ss, [ebx]", {0x8E, 0x13}},
  };
  OneInsnTranslator tr;
  for (const Case& c : cases) {
    Translation t = tr.translate(c.bytes, kEip);
    INFO(c.text << "\nhost block:\n" << t.listing);
    REQUIRE(t.helpers.size() == 1);
    for (const HostInsn& h : t.all)
      for (unsigned i = 0; i < h.visible(); ++i) {
        if (h.ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER) continue;
        ZydisRegisterClass rc = ZydisRegisterGetClass(h.ops[i].reg.value);
        CHECK(rc != ZYDIS_REGCLASS_CONTROL);
        CHECK(rc != ZYDIS_REGCLASS_DEBUG);
        CHECK(rc != ZYDIS_REGCLASS_SEGMENT);
      }
  }
}

TEST_CASE("not ident: mov from CR0/CR2/CR3/CR4 reads CpuState inline at CPL 0, through a helper at CPL 3",
          "[roundtrip]") {
  const Case cases[] = {
      {"mov eax, cr0", {0x0F, 0x20, 0xC0}},
      {"mov edx, cr2", {0x0F, 0x20, 0xD2}},
      {"mov esp, cr3", {0x0F, 0x20, 0xDC}},
      {"mov edi, cr4", {0x0F, 0x20, 0xE7}},
  };
  OneInsnTranslator tr;
  for (const Case& c : cases) {
    Translation ring0 = tr.translate(c.bytes, kEip);
    INFO(c.text << "\nhost block (CPL 0):\n" << ring0.listing);
    CHECK(ring0.helpers.empty());
    for (const HostInsn& h : ring0.all)
      for (unsigned i = 0; i < h.visible(); ++i)
        CHECK((h.ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER ||
               ZydisRegisterGetClass(h.ops[i].reg.value) != ZYDIS_REGCLASS_CONTROL));
    Translation ring3 = tr.translate(c.bytes, kEip, kFlatMode | 3u << mode::kCplShift);
    INFO("host block (CPL 3):\n" << ring3.listing);
    CHECK(ring3.helpers.size() == 1);  // the helper raises #GP(0)
  }
}

TEST_CASE("not ident: mov from a segment register reads the guest's selector", "[roundtrip]") {
  OneInsnTranslator tr;
  const uint8_t mov_eax_fs[] = {0x8C, 0xE0};  // mov eax, fs
  Translation t = tr.translate(mov_eax_fs, kEip);
  INFO(t.listing);
  bool reads_selector = false;
  for (const HostInsn& h : t.body) {
    CHECK((h.info.attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS)) == 0);
    for (unsigned i = 0; i < h.visible(); ++i)
      if (h.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && h.ops[i].mem.base == ZYDIS_REGISTER_R14 &&
          h.ops[i].mem.disp.value == static_cast<int64_t>(offsetof(CpuFrame, state) + offsetof(CpuState, seg) + kFs * sizeof(SegmentCache)))
        reads_selector = true;
  }
  CHECK(reads_selector);
}

TEST_CASE("ident: a high-byte register with memory borrows a low register", "[roundtrip]") {
  OneInsnTranslator tr;
  const uint8_t add_ah[] = {0x02, 0x64, 0x8B, 0x08};  // add ah, [ebx+ecx*4+8]
  Translation t = tr.translate(add_ah, kEip);
  INFO(t.listing);
  REQUIRE(t.guest.mnemonic() == ZYDIS_MNEMONIC_ADD);
  REQUIRE(t.guest.ops[0].reg.value == ZYDIS_REGISTER_AH);
  const std::vector<HostInsn>& body = t.body;
  REQUIRE(body.size() == 5);
  // lea r9d, [rbx+rcx*4+8] ; mov [r14+spill], rX ; lea rX, [r15+r9] ; add ah, [rX] ; mov rX, [r14+spill]
  const ZydisRegister borrowed = body[3].ops[1].mem.base;
  CHECK(body[0].info.mnemonic == ZYDIS_MNEMONIC_LEA);
  CHECK(body[0].ops[0].reg.value == ZYDIS_REGISTER_R9D);
  CHECK(body[1].info.mnemonic == ZYDIS_MNEMONIC_MOV);
  CHECK(body[1].ops[0].mem.base == ZYDIS_REGISTER_R14);
  CHECK(body[1].ops[0].mem.disp.value == static_cast<int64_t>(offsetof(CpuFrame, spill)));
  CHECK(body[1].ops[1].reg.value == borrowed);
  CHECK(body[2].info.mnemonic == ZYDIS_MNEMONIC_LEA);
  CHECK(body[2].ops[0].reg.value == borrowed);
  CHECK(body[2].ops[1].mem.base == ZYDIS_REGISTER_R15);
  CHECK(body[2].ops[1].mem.index == ZYDIS_REGISTER_R9);
  CHECK(body[3].info.mnemonic == ZYDIS_MNEMONIC_ADD);
  CHECK(body[3].ops[0].reg.value == ZYDIS_REGISTER_AH);
  CHECK((body[3].info.attributes & ZYDIS_ATTRIB_HAS_REX) == 0);
  // Not one of the registers the guest instruction uses, and not REX-only.
  for (ZydisRegister r : {ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RBX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RSP})
    CHECK(borrowed != r);
  CHECK(ZydisRegisterGetId(borrowed) < 8);
  CHECK(body[4].info.mnemonic == ZYDIS_MNEMONIC_MOV);
  CHECK(body[4].ops[0].reg.value == borrowed);
  CHECK(body[4].ops[1].mem.base == ZYDIS_REGISTER_R14);
}
