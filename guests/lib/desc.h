/* Segment and gate descriptors, selectors and the 32-bit TSS (SDM vol. 3,
 * 3.4-3.5, 5.8, 6.11 and 7.2), plus readers for the registers that the
 * segmentation kernels look at. */
#pragma once
#include <stdint.h>

/* Access byte (descriptor bits 47:40). */
enum {
    ACC_P = 0x80,
    ACC_S = 0x10, /* 1: code or data; 0: system */
    /* code/data types (with ACC_S) */
    ACC_ACCESSED = 0x01,
    ACC_DATA_RO = 0x00,
    ACC_DATA_RW = 0x02,
    ACC_DATA_RO_DOWN = 0x04,
    ACC_DATA_RW_DOWN = 0x06,
    ACC_CODE_X = 0x08,
    ACC_CODE_XR = 0x0A,
    ACC_CODE_CONF_X = 0x0C,
    ACC_CODE_CONF_XR = 0x0E,
    /* system types (without ACC_S) */
    SYS_LDT = 0x02,
    SYS_TASK_GATE = 0x05,
    SYS_TSS32 = 0x09,
    SYS_TSS32_BUSY = 0x0B,
    SYS_CALL_GATE32 = 0x0C,
    SYS_INT_GATE32 = 0x0E,
    SYS_TRAP_GATE32 = 0x0F,
};
#define ACC_DPL(n) ((unsigned)(n) << 5)

/* Flags nibble (descriptor bits 55:52). */
enum { FL_G = 0x8, FL_DB = 0x4 };

/* A code, data or system segment descriptor. `limit` is the 20-bit field. */
static inline uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    uint64_t d = limit & 0xFFFF;
    d |= (uint64_t)(base & 0xFFFFFF) << 16;
    d |= (uint64_t)(access & 0xFF) << 40;
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(flags & 0xF) << 52;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

/* An interrupt, trap or call gate (offset split in two) or a task gate
 * (offset unused). `params` is a call gate's parameter count. */
static inline uint64_t gate_desc(uint16_t sel, uint32_t offset, unsigned access, unsigned params)
{
    uint32_t low = ((uint32_t)sel << 16) | (offset & 0xFFFF);
    uint32_t high = (offset & 0xFFFF0000u) | ((access & 0xFF) << 8) | (params & 0x1F);
    return ((uint64_t)high << 32) | low;
}

/* Flat 4 GiB segments, 32-bit. */
#define FLAT_CODE(dpl) seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_DPL(dpl) | ACC_CODE_XR, FL_G | FL_DB)
#define FLAT_DATA(dpl) seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_DPL(dpl) | ACC_DATA_RW, FL_G | FL_DB)

/* Selector fields. */
#define SEL(index, ti, rpl) ((uint16_t)(((index) << 3) | ((ti) ? 4 : 0) | (rpl)))
enum { SEL_TI = 4 };

/* The 32-bit TSS (SDM vol. 3, 7.2.1): 104 bytes. */
struct tss32 {
    uint16_t link, link_hi;
    uint32_t esp0;
    uint16_t ss0, ss0_hi;
    uint32_t esp1;
    uint16_t ss1, ss1_hi;
    uint32_t esp2;
    uint16_t ss2, ss2_hi;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, es_hi, cs, cs_hi, ss, ss_hi, ds, ds_hi, fs, fs_hi, gs, gs_hi;
    uint16_t ldt, ldt_hi;
    uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss32) == 104, "TSS layout");
_Static_assert(__builtin_offsetof(struct tss32, iomap_base) == 0x66, "I/O map base at 0x66");

/* EFLAGS bits. */
enum {
    FLAG_CF = 1u << 0,
    FLAG_RSVD1 = 1u << 1,
    FLAG_ZF = 1u << 6,
    FLAG_TF = 1u << 8,
    FLAG_IF = 1u << 9,
    FLAG_DF = 1u << 10,
    FLAG_OF = 1u << 11,
    FLAG_IOPL3 = 3u << 12,
    FLAG_NT = 1u << 14,
    FLAG_RF = 1u << 16,
    FLAG_VM = 1u << 17,
    FLAG_AC = 1u << 18,
};
#define FLAG_IOPL(n) ((uint32_t)(n) << 12)

/* Descriptor-table registers as sgdt/sidt store them. */
struct __attribute__((packed)) dtr {
    uint16_t limit;
    uint32_t base;
};

#define DEFINE_SREG(name)                                                                          \
    static inline uint16_t read_##name(void)                                                       \
    {                                                                                              \
        uint16_t v;                                                                                \
        __asm__ volatile("mov %%" #name ", %0" : "=rm"(v));                                        \
        return v;                                                                                  \
    }
DEFINE_SREG(cs)
DEFINE_SREG(ds)
DEFINE_SREG(es)
DEFINE_SREG(fs)
DEFINE_SREG(gs)
DEFINE_SREG(ss)
#undef DEFINE_SREG

static inline uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ volatile("pushfl; popl %0" : "=r"(v));
    return v;
}

static inline void write_eflags(uint32_t v)
{
    __asm__ volatile("pushl %0; popfl" : : "r"(v) : "cc", "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* The 64-bit descriptor at `sel` in the table at `base`. */
static inline uint64_t desc_at(const volatile uint64_t *table, uint16_t sel)
{
    return table[sel >> 3];
}
