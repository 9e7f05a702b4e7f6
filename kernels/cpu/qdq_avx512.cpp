// The fused quant-dequant kernels built for avx512 (flags set in kernels/CMakeLists.txt).
#define SRS_QDQ_NS isa_avx512
#include "kernels/cpu/qdq_impl.h"
