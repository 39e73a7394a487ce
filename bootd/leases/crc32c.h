#pragma once
// CRC-32C (Castagnoli, RFC 3720 §B.4): the checksum of every lease journal
// record. Castagnoli rather than the zlib polynomial because it detects more
// error patterns at record-sized lengths and is what ext4/iSCSI/LevelDB use.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rackboot::bootd {

// Extends `crc` (0 to start) over `data`.
uint32_t Crc32c(uint32_t crc, std::string_view data);

}  // namespace rackboot::bootd
