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

# Our code (core/, kernels/, ui/, app/: each calls srs_strict_conversions()) compiles with GCC's
# -Wconversion as an error: no narrowing conversion happens implicitly. The explicit ones go
# through core/common/numeric_cast.h. Tests and third-party headers (torch, Qt: system includes)
# are not held to it.
option(SRS_WERROR_CONVERSION "Make -Wconversion an error in our code" ON)
macro(srs_strict_conversions)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Wconversion>)
    if(SRS_WERROR_CONVERSION)
      add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Werror=conversion>)
    endif()
  endif()
endmacro()
# Release without debug info links and loads fastest; RelWithDebInfo is there for profiling.
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")

# The torch wheel's libtorch.so exports its own copies of some libstdc++ functions
# (std::filesystem::remove_all and ~180 more, built into it by the manylinux toolchain); the
# dynamic linker binds a call to the first library in an executable's DT_NEEDED list that defines
# the symbol, and libtorch.so came before libstdc++.so.6: our remove_all landed in torch's copy,
# which crashed. Naming libstdc++ first puts the system's implementation ahead of torch's.
add_link_options("LINKER:--push-state,--no-as-needed" "-lstdc++" "LINKER:--pop-state")

# Sanitizer build (installer/studio.sh sanitize): e.g. -DSRS_SANITIZE=address,undefined. Every
# finding stops the program (no recovery), so a test that trips one fails. LibTorch itself is not
# instrumented; its calls are checked at our side of the boundary.
set(SRS_SANITIZE "" CACHE STRING "Sanitizers to build with (-fsanitize=...), e.g. address,undefined; empty: none")
if(SRS_SANITIZE)
  add_compile_options(-fsanitize=${SRS_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer -g1)
  add_link_options(-fsanitize=${SRS_SANITIZE})
endif()
