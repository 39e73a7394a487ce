#pragma once
// Base64 (RFC 4648 §4), shared by everything that reads Kubernetes' base64
// fields: kubeconfig *-data, Secret `data` (controller and standalone bootd
// decode a Secret the same way, so both doors resolve equal values).

#include <string>

namespace rackboot {

// The value of one base64 digit, or -1.
int Base64Digit(char c);

// Strict: padding required, no whitespace, nothing after '=' -- what the API
// server stores in a Secret's data. False (and `out` unspecified) otherwise.
bool DecodeBase64(const std::string& text, std::string* out);

}  // namespace rackboot
