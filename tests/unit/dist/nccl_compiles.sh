#!/usr/bin/env bash
# dist_nccl_compiles: core/dist/collective_torch.cpp compiles in the CUDA configuration, with
# c10d's ProcessGroupNCCL (what -DSRS_WITH_CUDA=ON builds), on a machine without a GPU: the object
# must construct a ProcessGroupNCCL. Skipped (77) where the CUDA toolkit's or NCCL's headers are
# missing. Arguments: compiler, source dir, torch include dir, CUDA include dir, nccl.h's dir, work dir.
set -euo pipefail
cxx=$1 src=$2 torch_inc=$3 cuda_inc=$4 nccl_inc=$5 work=$6
if [ ! -f "$cuda_inc/cuda_runtime_api.h" ] || [ ! -f "$nccl_inc/nccl.h" ]; then
  echo "SKIP: no CUDA toolkit headers ($cuda_inc) or nccl.h ($nccl_inc)"
  exit 77
fi
mkdir -p "$work"
obj="$work/collective_nccl.o"
"$cxx" -std=c++17 -O0 -c "$src/core/dist/collective_torch.cpp" -o "$obj" \
  -DUSE_C10D_GLOO -DUSE_C10D_NCCL -DSRS_DIST_NCCL -D_GLIBCXX_USE_CXX11_ABI=1 \
  -I"$src" -isystem "$torch_inc" -isystem "$torch_inc/torch/csrc/api/include" -isystem "$cuda_inc" -isystem "$nccl_inc"
syms=$(nm -C "$obj")
if ! grep -q "U c10d::ProcessGroupNCCL::ProcessGroupNCCL(" <<<"$syms"; then
  echo "FAIL: the object does not construct a ProcessGroupNCCL"
  exit 1
fi
echo "collective_torch.cpp compiles with ProcessGroupNCCL (nccl.h from $nccl_inc)"
