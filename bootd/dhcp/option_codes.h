#pragma once
// DHCPv4 option codes and message types bootd reads or writes
// (RFC 2132, RFC 4578 PXE, RFC 3004 user class, RFC 3046 relay agent,
// RFC 3396 long options, iPXE's encapsulated option 175).

#include <cstdint>

namespace rackboot::bootd::dhcp {

enum OptionCode : uint8_t {
  kOptPad = 0,
  kOptSubnetMask = 1,
  kOptRouter = 3,
  kOptDnsServers = 6,
  kOptHostName = 12,
  kOptDomainName = 15,
  kOptBroadcastAddress = 28,
  kOptVendorSpecific = 43,  // PXE vendor options when 60 = PXEClient
  kOptRequestedIp = 50,
  kOptLeaseTime = 51,
  kOptOverload = 52,
  kOptMessageType = 53,
  kOptServerId = 54,
  kOptParameterList = 55,
  kOptMessage = 56,
  kOptMaxMessageSize = 57,
  kOptRenewalTime = 58,    // T1
  kOptRebindingTime = 59,  // T2
  kOptVendorClass = 60,
  kOptClientId = 61,
  kOptTftpServerName = 66,
  kOptBootfileName = 67,
  kOptUserClass = 77,
  kOptRelayAgentInfo = 82,
  kOptClientArch = 93,
  kOptClientNdi = 94,
  kOptClientUuid = 97,
  kOptIpxeEncap = 175,
  kOptEnd = 255,
};

// iPXE option 175 sub-options (ipxe src/include/ipxe/dhcp.h).
inline constexpr uint8_t kIpxeNoPxeDhcp = 176;  // 1 = do not wait for ProxyDHCP offers
inline constexpr uint8_t kIpxeBusId = 177;
inline constexpr uint8_t kIpxeVersion = 235;

// PXE 2.1 option 43 sub-options.
inline constexpr uint8_t kPxeDiscoveryControl = 6;
inline constexpr uint8_t kPxeBootMenu = 9;
inline constexpr uint8_t kPxeMenuPrompt = 10;
// PXE_DISCOVERY_CONTROL bit 3: use the boot file in this packet, skip
// boot-server discovery (without it Intel/VMware ROMs go to port 4011 and
// fail with PXE-E55).
inline constexpr uint8_t kPxeDiscoveryUseBootFile = 0x08;

enum class MessageType : uint8_t {
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
};

const char* MessageTypeName(MessageType type);

inline constexpr uint8_t kBootRequest = 1;
inline constexpr uint8_t kBootReply = 2;
inline constexpr uint16_t kServerPort = 67;
inline constexpr uint16_t kClientPort = 68;
inline constexpr uint16_t kPxeBootServerPort = 4011;

}  // namespace rackboot::bootd::dhcp
