# weft_add_plugin(NAME SOURCES src...)
# Builds a weft plugin: a shared library named NAME.so (no "lib" prefix) that includes the
# SDK headers. In this tree it lands in the build's plugin folder.
function(weft_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED WEFT_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${WEFT_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_libraries(${name} PRIVATE weft::sdk)
endfunction()
