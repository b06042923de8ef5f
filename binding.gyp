{
  "variables": {
    "atrous_common_cflags": ["-O3", "-fexceptions", "-fvisibility=hidden", "-Wall", "-Wno-unused-parameter"]
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "NDEBUG"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "<@(atrous_common_cflags)"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "GCC_ENABLE_CPP_RTTI": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "11.0",
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fvisibility=hidden"]
    },
    "msvs_settings": {
      "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] }
    }
  },
  "targets": [
    {
      "target_name": "atrous",
      "sources": [
        "<!@(node scripts/list-sources.js core)",
        "<!@(node scripts/list-sources.js addon)"
      ],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", {
          "dependencies": ["atrous_avx2", "atrous_avx512"]
        }],
        ["OS=='linux'", { "libraries": ["-ldl"] }]
      ]
    },
    {
      "target_name": "atrous_avx2",
      "type": "static_library",
      "conditions": [["target_arch!='x64' or OS=='win'", {"type": "none"}]],
      "sources": ["<!@(node scripts/list-sources.js avx2)"],
      "cflags_cc": ["-mavx2", "-mfma", "-fPIC"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-mavx2", "-mfma"] }
    },
    {
      "target_name": "atrous_avx512",
      "type": "static_library",
      "conditions": [["target_arch!='x64' or OS=='win'", {"type": "none"}]],
      "sources": ["<!@(node scripts/list-sources.js avx512)"],
      "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma", "-fPIC"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mfma"] }
    }
  ]
}
