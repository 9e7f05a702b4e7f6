# Every external package, found once. Facts behind each line: shared/docs/BUILD.md.
if(SRS_WITH_GUI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Concurrent Network Test PrintSupport)
  find_package(Qt6 REQUIRED COMPONENTS LinguistTools)  # lupdate/lrelease: translations/ (qt6-l10n-tools)
  find_package(QCustomPlotQt6 REQUIRED)   # needs Qt6::PrintSupport found first (BUILD.md P1)
elseif(SRS_BUILD_TESTS)
  # Headless (SRS_WITH_GUI=OFF): the core and the CLI use no Qt at all; the tests need Core and Test.
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)
endif()
# LibTorch 2.x: from the project's Python virtual environment (installer/install-deps.sh puts
# PyPI's torch wheel there; it carries a complete CUDA-enabled LibTorch that also runs without a
# GPU), unless Torch_DIR / CMAKE_PREFIX_PATH already name another LibTorch (e.g. the zip from the
# PyTorch site). Debian's libtorch-dev 1.13 is no longer supported.
set(SRS_TORCH_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python whose torch package provides LibTorch (ignored when Torch_DIR is set)")
if(NOT Torch_DIR AND EXISTS "${SRS_TORCH_PYTHON}")
  execute_process(COMMAND "${SRS_TORCH_PYTHON}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
                  OUTPUT_VARIABLE _srs_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _srs_torch_rc
                  ERROR_QUIET)
  if(_srs_torch_rc EQUAL 0 AND _srs_torch_prefix)
    list(APPEND CMAKE_PREFIX_PATH "${_srs_torch_prefix}")
    # TorchConfig looks c10 up with find_library, which prefers the system folders: a leftover
    # Debian libtorch (/usr/lib/x86_64-linux-gnu/libc10.so, 1.13) would be mixed in. Name the wheel's.
    get_filename_component(_srs_torch_lib "${_srs_torch_prefix}/../../lib" ABSOLUTE)
    if(EXISTS "${_srs_torch_lib}/libc10.so")
      set(c10_LIBRARY "${_srs_torch_lib}/libc10.so" CACHE FILEPATH "c10 of the LibTorch in use" FORCE)
    endif()
  endif()
endif()
if(NOT TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  # Torch's CMake ignores CMAKE_CUDA_ARCHITECTURES; the GPUs we build for: Turing .. Hopper.
  set(TORCH_CUDA_ARCH_LIST "7.5;8.0;8.6;8.9;9.0")
endif()
find_package(Torch 2.0 REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")
# The torch wheel ships its own libgomp.so.1 (same soname as GCC's) and its lib folder is on every
# binary's run path: link that copy so one OpenMP runtime is loaded and CMake can order the path.
if(EXISTS "${TORCH_INSTALL_PREFIX}/lib/libgomp.so.1" AND NOT OpenMP_gomp_LIBRARY)
  set(OpenMP_gomp_LIBRARY "${TORCH_INSTALL_PREFIX}/lib/libgomp.so.1" CACHE FILEPATH "OpenMP runtime (the torch wheel's)")
endif()
find_package(OpenMP REQUIRED)           # our own at::parallel_for needs -fopenmp (BUILD.md P4)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL 3.0 REQUIRED COMPONENTS Crypto)  # libcrypto: SHA-256/SHA-1 (core/hub/sha), libssl-dev
find_package(Threads REQUIRED)
find_package(ICU 66 REQUIRED COMPONENTS uc i18n)  # tokenizer.json regexes and Unicode normalization
# SentencePiece (libsentencepiece-dev): tokenizer.model encoding and decoding. Only the runtime
# library: its .pc also lists libsentencepiece_train, which we do not need.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED sentencepiece)
find_library(SENTENCEPIECE_LIBRARY sentencepiece HINTS ${SENTENCEPIECE_LIBRARY_DIRS} REQUIRED)
find_path(SENTENCEPIECE_INCLUDE_DIR sentencepiece_processor.h HINTS ${SENTENCEPIECE_INCLUDE_DIRS} REQUIRED)
add_library(SentencePiece::sentencepiece SHARED IMPORTED)
set_target_properties(SentencePiece::sentencepiece PROPERTIES IMPORTED_LOCATION "${SENTENCEPIECE_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${SENTENCEPIECE_INCLUDE_DIR}")
message(STATUS "SentencePiece ${SENTENCEPIECE_VERSION}: ${SENTENCEPIECE_LIBRARY}")

find_package(OpenCL QUIET)              # dnnl-config.cmake hard-requires OpenCL (BUILD.md P2)
if(OpenCL_FOUND)
  find_package(dnnl 2.6 CONFIG REQUIRED)
else()
  find_library(DNNL_LIBRARY dnnl REQUIRED)
  find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp REQUIRED)
  add_library(DNNL::dnnl SHARED IMPORTED)
  set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION "${DNNL_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${DNNL_INCLUDE_DIR}")
endif()

# The torch wheel ships oneDNN 3.x headers in its include folder (its oneDNN is linked inside
# libtorch_cpu with hidden symbols), and that folder comes first on the include path; our oneDNN
# code is written for, and linked to, Debian's oneDNN 2.x. SRS_DNNL_INCLUDE is a folder holding only
# a link to the system's oneapi/ headers, put before torch's (-I) by the targets that use oneDNN.
find_path(SRS_DNNL_HEADER_DIR oneapi/dnnl/dnnl.hpp PATHS /usr/include NO_DEFAULT_PATH)
if(NOT SRS_DNNL_HEADER_DIR)
  find_path(SRS_DNNL_HEADER_DIR oneapi/dnnl/dnnl.hpp REQUIRED)
endif()
set(SRS_DNNL_INCLUDE "${CMAKE_BINARY_DIR}/dnnl-include")
file(MAKE_DIRECTORY "${SRS_DNNL_INCLUDE}")
file(CREATE_LINK "${SRS_DNNL_HEADER_DIR}/oneapi" "${SRS_DNNL_INCLUDE}/oneapi" SYMBOLIC)

# Torch's imported targets carry flags we want as system includes so -Wall stays about our code.
get_target_property(_torch_inc torch INTERFACE_INCLUDE_DIRECTORIES)
if(_torch_inc)
  set_target_properties(torch PROPERTIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_torch_inc}")
endif()

# The CUDA part builds only when asked for and nvcc is found; GPU tensors additionally need a
# CUDA-enabled LibTorch (Debian's is CPU-only; point Torch_DIR at another to get one).
set(SRS_CUDA_ENABLED OFF)
if(SRS_WITH_CUDA)
  find_program(SRS_NVCC nvcc HINTS /usr/local/cuda/bin)
  if(NOT SRS_NVCC)
    message(WARNING "SRS_WITH_CUDA=ON but nvcc was not found (PATH, /usr/local/cuda/bin): building without CUDA")
  else()
    set(CMAKE_CUDA_COMPILER ${SRS_NVCC})
    set(CMAKE_CUDA_HOST_COMPILER ${CMAKE_CXX_COMPILER})
    if(NOT CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "75;80;90")
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(SRS_CUDA_ENABLED ON)
    if(TARGET torch_cuda)
      message(STATUS "CUDA: nvcc ${CMAKE_CUDA_COMPILER_VERSION}, LibTorch with CUDA")
    else()
      message(STATUS "CUDA: nvcc ${CMAKE_CUDA_COMPILER_VERSION}; LibTorch is CPU-only, so CUDA kernels work on raw device buffers only")
    endif()
  endif()
endif()

# What our targets link of LibTorch. A build with our CUDA kernels links all of it (NCCL, the CUDA
# tensors' headers). Otherwise only its CPU half, libtorch_cpu and libc10: a program then starts
# without libtorch_cuda.so and the CUDA libraries it pulls in (measured: a small LibTorch program
# 118 MB resident instead of 353 MB), and kernels/torch_cuda_loader loads libtorch_cuda.so at run
# time where the NVIDIA driver lists a GPU, so GPUs still work.
if(SRS_CUDA_ENABLED OR NOT TARGET torch_cpu_library OR NOT c10_LIBRARY)
  set(SRS_TORCH_LIBS ${TORCH_LIBRARIES})
else()
  add_library(srs_torch INTERFACE)
  target_link_libraries(srs_torch INTERFACE torch_cpu_library ${c10_LIBRARY})
  target_include_directories(srs_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  set(SRS_TORCH_LIBS srs_torch)
  message(STATUS "LibTorch: linking its CPU half; libtorch_cuda.so is loaded at run time where there is a GPU")
endif()
