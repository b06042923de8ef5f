// Finds and loads the CUDA plugin once per process, only when an NVIDIA driver is present. The
// CPU addon never links CUDA: everything goes through the plugin's versioned C table.
#pragma once
#include <cstdint>
#include <string>

#include "cuda/plugin_api.h"

namespace atrous {

struct CudaPlugin {
  bool available = false;     // plugin loaded and a usable device found
  std::string reason;         // why not, when !available
  std::string path;           // the plugin file found ("" when none)
  std::string device;         // GPU name
  int driver_version = 0;     // e.g. 12040 for 12.4
  int runtime_version = 0;    // the CUDA runtime inside the plugin
  int compute_major = 0, compute_minor = 0;
  uint64_t memory = 0;        // bytes
  const atrous_cuda_api_v1* api = nullptr;  // non-null when available
};

// Loaded on first call (thread-safe); env ATROUS_CUDA_PLUGIN names the plugin file, otherwise it is
// looked for next to the binary holding this code (the addon, or the native test runner).
const CudaPlugin& cuda_plugin();

// "12.4" from 12040.
std::string cuda_version_string(int version);

// The plugin file name on this platform.
const char* cuda_plugin_file_name();

// Loads a plugin file and checks its ABI, without the driver check (for the native tests).
// Returns nullptr and sets *why on failure. The library stays loaded for the process's lifetime.
const atrous_cuda_api_v1* load_cuda_plugin_file(const std::string& path, std::string* why);

}  // namespace atrous
