// An empty stand-in for libcuda.so.1: lets the loader's driver check pass in tests that load the
// host-emulated plugin (emulated_plugin.cc) on machines without an NVIDIA driver.
extern "C" int atrous_fake_cuda_driver() { return 0; }
