// The fused quant-dequant kernels built for avx2 (flags set in kernels/CMakeLists.txt).
#define SRS_QDQ_NS isa_avx2
#include "kernels/cpu/qdq_impl.h"
