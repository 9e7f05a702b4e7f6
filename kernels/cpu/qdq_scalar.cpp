// The fused quant-dequant kernels built for scalar (flags set in kernels/CMakeLists.txt).
#define SRS_QDQ_NS isa_scalar
#include "kernels/cpu/qdq_impl.h"
