#include "core/plugin_loader.h"

#include <cstdlib>
#include <mutex>
#include <sys/stat.h>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace atrous {

namespace {

#if defined(_WIN32)
constexpr const char* kDriverLibrary = "nvcuda.dll";
void* open_library(const std::string& path, std::string* why) {
  HMODULE h = LoadLibraryA(path.c_str());
  if (!h) *why = "LoadLibrary failed with error " + std::to_string(GetLastError());
  return reinterpret_cast<void*>(h);
}
void* find_symbol(void* lib, const char* name) {
  return reinterpret_cast<void*>(GetProcAddress(reinterpret_cast<HMODULE>(lib), name));
}
std::string own_directory() {
  HMODULE self = nullptr;
  char buf[MAX_PATH];
  if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCSTR>(&cuda_plugin), &self) ||
      !GetModuleFileNameA(self, buf, MAX_PATH))
    return "";
  std::string p(buf);
  size_t slash = p.find_last_of("\\/");
  return slash == std::string::npos ? "." : p.substr(0, slash);
}
#else
#if defined(__APPLE__)
constexpr const char* kDriverLibrary = "libcuda.dylib";
#else
constexpr const char* kDriverLibrary = "libcuda.so.1";
#endif
void* open_library(const std::string& path, std::string* why) {
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    *why = e ? e : "dlopen failed";
  }
  return h;
}
void* find_symbol(void* lib, const char* name) { return dlsym(lib, name); }
std::string own_directory() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void*>(&cuda_plugin), &info) || !info.dli_fname) return "";
  std::string p(info.dli_fname);
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}
#endif

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

CudaPlugin load() {
  CudaPlugin p;
  const char* env = std::getenv("ATROUS_CUDA_PLUGIN");
  std::string candidate = env && *env ? env : own_directory() + "/" + cuda_plugin_file_name();
  if (!file_exists(candidate)) {
    p.reason = env && *env ? "ATROUS_CUDA_PLUGIN names a file that does not exist: " + candidate
                           : std::string("the CUDA plugin is not installed (no ") + cuda_plugin_file_name() +
                                 " next to the addon; build it with `node scripts/build-cuda.mjs` or set ATROUS_CUDA_PLUGIN)";
    return p;
  }
  p.path = candidate;
  // The driver comes first: without it the plugin could not do anything, and we never load
  // CUDA code into a process that has no use for it.
  std::string why;
  void* driver = open_library(kDriverLibrary, &why);
  if (!driver) {
    p.reason = std::string("no NVIDIA driver: ") + kDriverLibrary + " could not be loaded (" + why + ")";
    return p;
  }
  const atrous_cuda_api_v1* api = load_cuda_plugin_file(candidate, &why);
  if (!api) {
    p.reason = why;
    return p;
  }
  atrous_cuda_probe probe;
  api->probe(&probe);
  probe.device_name[sizeof(probe.device_name) - 1] = 0;
  probe.error[sizeof(probe.error) - 1] = 0;
  p.driver_version = probe.driver_version;
  p.runtime_version = probe.runtime_version;
  if (probe.device_count <= 0) {
    p.reason = probe.error[0] ? probe.error : "no CUDA device found";
    return p;
  }
  p.device = probe.device_name;
  p.compute_major = probe.compute_major;
  p.compute_minor = probe.compute_minor;
  p.memory = probe.total_memory;
  p.api = api;
  p.available = true;
  return p;
}

}  // namespace

const char* cuda_plugin_file_name() {
#if defined(_WIN32)
  return "atrous_cuda.dll";
#elif defined(__APPLE__)
  return "libatrous_cuda.dylib";
#else
  return "libatrous_cuda.so";
#endif
}

const atrous_cuda_api_v1* load_cuda_plugin_file(const std::string& path, std::string* why) {
  std::string err;
  void* lib = open_library(path, &err);
  if (!lib) {
    *why = "the CUDA plugin " + path + " could not be loaded: " + err;
    return nullptr;
  }
  auto entry = reinterpret_cast<atrous_cuda_entry_fn>(find_symbol(lib, ATROUS_CUDA_ENTRY));
  if (!entry) {
    *why = "the CUDA plugin " + path + " has no " + ATROUS_CUDA_ENTRY + " entry point";
    return nullptr;
  }
  const atrous_cuda_api_v1* api = entry();
  if (!api || api->abi_version != ATROUS_CUDA_ABI_VERSION || api->struct_size < sizeof(atrous_cuda_api_v1)) {
    *why = "the CUDA plugin " + path + " was built for another version of atrous (ABI " +
           std::to_string(api ? api->abi_version : 0) + ", expected " + std::to_string(ATROUS_CUDA_ABI_VERSION) + ")";
    return nullptr;
  }
  return api;
}

const CudaPlugin& cuda_plugin() {
  static std::once_flag once;
  static CudaPlugin plugin;
  std::call_once(once, [] {
    try {
      plugin = load();
    } catch (...) {
      plugin = CudaPlugin();
      plugin.reason = "out of memory while looking for the CUDA plugin";
    }
  });
  return plugin;
}

std::string cuda_version_string(int version) {
  if (version <= 0) return "";
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

}  // namespace atrous
