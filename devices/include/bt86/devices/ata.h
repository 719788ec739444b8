// The ATA/ATAPI register interface (ATA/ATAPI-6, T13/1410D): the bits of
// the Status, Error and Device Control registers, and the command codes
// bt86's drives execute.
#pragma once
#include <cstdint>

namespace bt86::ata {

// Status (and Alternate Status).
constexpr uint8_t kBsy = 0x80, kDrdy = 0x40, kDf = 0x20, kDsc = 0x10, kDrq = 0x08, kErr = 0x01;
// Error.
constexpr uint8_t kUnc = 0x40, kIdnf = 0x10, kAbrt = 0x04;
// Device Control: high-order byte readback, software reset, interrupts off.
constexpr uint8_t kHob = 0x80, kSrst = 0x04, kNien = 0x02;
// Device/Head: LBA addressing, the device number.
constexpr uint8_t kLba = 0x40, kDev = 0x10;

enum Command : uint8_t {
  kNop = 0x00,
  kDeviceReset = 0x08,  // ATAPI
  kRecalibrate = 0x10,  // 0x10-0x1F
  kReadSectors = 0x20,
  kReadSectorsNoRetry = 0x21,
  kReadSectorsExt = 0x24,
  kReadDmaExt = 0x25,
  kReadNativeMaxExt = 0x27,
  kReadMultipleExt = 0x29,
  kWriteSectors = 0x30,
  kWriteSectorsNoRetry = 0x31,
  kWriteSectorsExt = 0x34,
  kWriteDmaExt = 0x35,
  kWriteMultipleExt = 0x39,
  kReadVerify = 0x40,
  kReadVerifyNoRetry = 0x41,
  kReadVerifyExt = 0x42,
  kSeek = 0x70,  // 0x70-0x7F
  kExecuteDiagnostic = 0x90,
  kInitializeParameters = 0x91,
  kStandbyImmediateOld = 0x94,
  kIdleImmediateOld = 0x95,
  kStandbyOld = 0x96,
  kIdleOld = 0x97,
  kCheckPowerModeOld = 0x98,
  kSleepOld = 0x99,
  kPacket = 0xA0,
  kIdentifyPacket = 0xA1,
  kReadMultiple = 0xC4,
  kWriteMultiple = 0xC5,
  kSetMultiple = 0xC6,
  kReadDma = 0xC8,
  kReadDmaNoRetry = 0xC9,
  kWriteDma = 0xCA,
  kWriteDmaNoRetry = 0xCB,
  kStandbyImmediate = 0xE0,
  kIdleImmediate = 0xE1,
  kStandby = 0xE2,
  kIdle = 0xE3,
  kCheckPowerMode = 0xE5,
  kSleep = 0xE6,
  kFlushCache = 0xE7,
  kFlushCacheExt = 0xEA,
  kIdentify = 0xEC,
  kSetFeatures = 0xEF,
  kReadNativeMax = 0xF8,
};

// The signatures a device leaves in Sector Count, LBA Low/Mid/High after a
// reset or EXECUTE DEVICE DIAGNOSTIC (and an ATAPI device after a command
// it does not take), by which hosts tell ATA from ATAPI.
constexpr uint8_t kAtapiSignatureMid = 0x14, kAtapiSignatureHigh = 0xEB;

}  // namespace bt86::ata
