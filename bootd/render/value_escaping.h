#pragma once
// Escaping of template values per target language. Every value that enters a
// boot script or install config goes through EscapeValue(); a value that
// cannot be made safe for its language is an Error, never output.
//
// Rejection beats quoting for the script languages: iPXE 1.0.0 (Debian 12)
// has no reliable quoting, GRUB and pxelinux parse their own ways, and a
// kernel command line must survive all three unchanged. Only YAML has a
// quoting form that is safe for every string (double-quoted scalars, YAML
// 1.2 §7.3.1), so YAML values are quoted instead of rejected.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rackboot::bootd::render {

enum class TargetLanguage {
  kIpxe,       // iPXE script
  kGrub,       // grub.cfg
  kPxelinux,   // pxelinux.cfg
  kYaml,       // cloud-init user-data / meta-data / network-config
  kKickstart,  // Anaconda kickstart (shlex-parsed lines, shell sections)
  kPreseed,    // debian-installer preseed (debconf lines)
  kText,       // any other line-oriented text
};

const char* TargetLanguageName(TargetLanguage language);

// Longest value accepted in a boot script; iPXE's command line buffer and
// the kernel's COMMAND_LINE_SIZE (2048 on x86) make longer values useless.
inline constexpr size_t kMaxScriptValueBytes = 1024;
// Install configs may carry SSH keys and certificates.
inline constexpr size_t kMaxConfigValueBytes = 16 * 1024;

// Returns the text to insert, or an Error naming what is unsafe.
Result<std::string> EscapeValue(TargetLanguage language, std::string_view value);

}  // namespace rackboot::bootd::render
