#pragma once
// DHCPDISCOVERs as real firmware sends them (option order and values from
// /work/shared/reference/pxe-lab-facts.md, measured under QEMU 7.2):
// SeaBIOS + iPXE ROM, OVMF's native PXE, and iPXE EFI. Built byte by byte so
// the decoder sees exactly the wire form.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace rackboot::bootd::dhcp::testdata {

inline constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

// 236-byte BOOTP header + magic cookie for a client broadcast request.
inline std::vector<uint8_t> Header(uint32_t xid = 0x11223344, uint16_t flags = 0) {
  std::vector<uint8_t> b(240, 0);
  b[0] = 1;  // BOOTREQUEST
  b[1] = 1;
  b[2] = 6;
  b[4] = static_cast<uint8_t>(xid >> 24);
  b[5] = static_cast<uint8_t>(xid >> 16);
  b[6] = static_cast<uint8_t>(xid >> 8);
  b[7] = static_cast<uint8_t>(xid);
  b[10] = static_cast<uint8_t>(flags >> 8);
  b[11] = static_cast<uint8_t>(flags);
  for (int i = 0; i < 6; ++i) b[28 + i] = kMac[i];
  b[236] = 99;
  b[237] = 130;
  b[238] = 83;
  b[239] = 99;
  return b;
}

inline void Opt(std::vector<uint8_t>& b, uint8_t code, std::initializer_list<uint8_t> data) {
  b.push_back(code);
  b.push_back(static_cast<uint8_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
}

inline void OptStr(std::vector<uint8_t>& b, uint8_t code, const std::string& s) {
  b.push_back(code);
  b.push_back(static_cast<uint8_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

// QEMU -uuid 11223344-5566-7788-99aa-bbccddeeff01 on the wire (SMBIOS order).
inline void OptUuid(std::vector<uint8_t>& b) {
  Opt(b, 97, {0x00, 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01});
}

inline void IpxeParameterList(std::vector<uint8_t>& b) {
  Opt(b, 55, {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203});
}

// iPXE's option 175: feature flags (PXEEXT, HTTP, DNS, TFTP...), 177 bus id
// (PCI 8086:100e), 235 version 1.0.0.
inline void IpxeEncap(std::vector<uint8_t>& b) {
  Opt(b, 175, {0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0x10, 0x01, 0x02, 0x13, 0x01,
               0x01, 0x11, 0x01, 0x01, 0x15, 0x01, 0x01, 0xeb, 0x03, 0x01, 0x00, 0x00});
}

inline std::vector<uint8_t> SeaBiosIpxeDiscover() {
  auto b = Header();
  Opt(b, 53, {1});
  Opt(b, 57, {0x05, 0xc0});  // 1472
  Opt(b, 93, {0x00, 0x00});
  Opt(b, 94, {0x01, 0x02, 0x01});
  OptStr(b, 60, "PXEClient:Arch:00000:UNDI:002001");
  OptStr(b, 77, "iPXE");  // raw, not RFC 3004 length-prefixed
  IpxeParameterList(b);
  IpxeEncap(b);
  Opt(b, 61, {0x01, kMac[0], kMac[1], kMac[2], kMac[3], kMac[4], kMac[5]});
  OptUuid(b);
  b.push_back(255);
  return b;
}

inline std::vector<uint8_t> OvmfPxeDiscover() {
  auto b = Header(0x55667788, 0x8000);  // OVMF sets the broadcast flag
  Opt(b, 53, {1});
  Opt(b, 57, {0x05, 0xc0});
  Opt(b, 55, {1,  2,  3,  4,  5,  6,  12, 13, 15, 17,  18,  22,  23,  28,  40,  41,  42, 43,
              50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135});
  OptUuid(b);
  Opt(b, 94, {0x01, 0x03, 0x00});
  Opt(b, 93, {0x00, 0x07});
  OptStr(b, 60, "PXEClient:Arch:00007:UNDI:003000");
  b.push_back(255);
  return b;
}

inline std::vector<uint8_t> IpxeEfiDiscover() {
  auto b = Header(0x01020304);
  Opt(b, 53, {1});
  Opt(b, 57, {0x05, 0xc0});
  Opt(b, 93, {0x00, 0x07});
  Opt(b, 94, {0x01, 0x03, 0x0a});
  OptStr(b, 60, "PXEClient:Arch:00007:UNDI:003010");
  OptStr(b, 77, "iPXE");
  IpxeParameterList(b);
  IpxeEncap(b);
  Opt(b, 61, {0x01, kMac[0], kMac[1], kMac[2], kMac[3], kMac[4], kMac[5]});
  Opt(b, 97, {0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // QEMU without -uuid: all zero
  b.push_back(255);
  return b;
}

}  // namespace rackboot::bootd::dhcp::testdata
