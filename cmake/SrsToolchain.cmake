# Compiler, linker and cache settings that keep LibTorch-heavy builds tolerable on 2 cores.
find_program(SRS_CCACHE ccache)
if(SRS_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${SRS_CCACHE})
endif()

find_program(SRS_LLD ld.lld)
if(SRS_LLD)
  add_link_options(-fuse-ld=lld)
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)
# Release without debug info links and loads fastest; RelWithDebInfo is there for profiling.
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")
