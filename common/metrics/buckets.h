#pragma once
// Histogram bucket boundaries (seconds). Few buckets on purpose: every bucket
// is a series per label set.

#include <prometheus/histogram.h>

namespace rackboot::metrics {

// In-process work: a reconcile, an API request, a DHCP decision.
inline const prometheus::Histogram::BucketBoundaries kFastOperationBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// One file transfer: an iPXE binary over TFTP up to a large initrd over HTTP.
inline const prometheus::Histogram::BucketBoundaries kTransferBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                                                         5,    10,   30,  60,   120, 300, 900};

// A boot, from the first DHCPDISCOVER to a stage: seconds to an hour
// (firmware POST, memory training and OS installs are slow).
inline const prometheus::Histogram::BucketBoundaries kBootStageBuckets = {1,   2,   5,   10,   20,   30,  60,
                                                                          120, 300, 600, 1200, 1800, 3600};

}  // namespace rackboot::metrics
