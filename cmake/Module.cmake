# Helpers that give every module the same shape: one static library per folder of src/, named
# cw_<module> with the alias cw::<module>, compiled with warnings as errors, included as
# <module>/<header>.h from src/.
add_library(cw_warnings INTERFACE)
target_compile_options(cw_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                       -Wno-sign-conversion -Werror)
# GCC 12 at -O3 (the Release build of deploy/Dockerfile) reports `"," + std::string` as an
# overlapping memcpy (GCC bug 105651, a false positive): keep it a warning, not a failed build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(cw_warnings INTERFACE -Wno-error=restrict)
endif()

# cw_module(NAME [DEPENDS target...]) — builds every .cpp of the calling folder and its subfolders
# (e.g. ntp/nts/) into cw::NAME.
function(cw_module name)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(cw_${name} STATIC ${sources})
    target_include_directories(cw_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(cw_${name} PUBLIC ${ARG_DEPENDS} PRIVATE cw_warnings)
  else()
    add_library(cw_${name} INTERFACE)
    target_include_directories(cw_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(cw_${name} INTERFACE ${ARG_DEPENDS})
  endif()
  add_library(cw::${name} ALIAS cw_${name})
endfunction()
