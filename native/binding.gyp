{
  "targets": [
    {
      "target_name": "posttrain_native",
      "sources": [
        "addon.cc",
        "decode.cc",
        "decode_napi.cc",
        "elementwise.cc",
        "elementwise_avx512.cc",
        "gemm.cc",
        "gemm_avx512.cc",
        "gemm_avx2.cc",
        "gemm_scalar.cc",
        "worker_pool.cc",
        "fused.cc",
        "fused_avx512.cc",
        "fused_avx2.cc",
        "fused_scalar.cc",
        "fused_napi.cc",
        "fused_attention.cc",
        "fused_attention_avx512.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O3", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"]
    }
  ]
}
