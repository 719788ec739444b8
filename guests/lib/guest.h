/* Services only a guest kernel has: multiboot info, devices, the exit port. */
#pragma once
#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* The leading part of the Multiboot v1 information structure. */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB, valid if flags bit 0 */
    uint32_t mem_upper; /* KiB above 1 MiB, valid if flags bit 0 */
    uint32_t boot_device;
    uint32_t cmdline; /* physical address of a C string, valid if flags bit 2 */
};

/* Ends the run through isa-debug-exit (port 0xF4): the emulator exits with
 * status (code << 1) | 1. Never returns. */
void exit_qemu(uint32_t code) __attribute__((noreturn));

/* Loads a flat GDT (code 0x08, data 0x10) and reloads every segment register;
 * needed before any segment load, since the loader's GDTR may be invalid. */
void load_flat_gdt(void);

/* Prints PASS or "FAIL: <n> failure(s)" and exits with 0 or 1. */
void guest_finish(int failures) __attribute__((noreturn));
